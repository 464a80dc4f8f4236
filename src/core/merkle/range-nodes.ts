import type { TreeNode } from './tree-node.js'
import { assertSize, pow2 } from './tree-math.js'

/**
 * Perfect subtrees that exactly cover leaves [begin, end), left to right,
 * each as large as alignment allows.
 *
 * For the ranges RFC 6962 proofs use (`begin` aligned to a power of two
 * at least `end - begin`) this is largest-first, like {@link frontierNodes}.
 */
export function rangeNodes (begin: number, end: number): TreeNode[] {
  assertSize(begin, 'begin')
  assertSize(end, 'end')
  if (end < begin) throw new RangeError(`end (${end}) < begin (${begin})`)
  const nodes: TreeNode[] = []
  let pos = begin
  while (pos < end) {
    let level = 0
    // Grow while the doubled subtree stays aligned and inside the range.
    while (pos % pow2(level + 1) === 0 && pos + pow2(level + 1) <= end) level++
    nodes.push({ level, index: pos / pow2(level) })
    pos += pow2(level)
  }
  return nodes
}
