import type { NodeReader } from './node-reader.js'
import { rangeNodes } from './range-nodes.js'
import { rootFromNodes } from './root-from-nodes.js'
import type { TreeNode } from './tree-node.js'

/** A leaf range [begin, end) whose subtree hash a proof needs. */
export type LeafRange = readonly [begin: number, end: number]

/**
 * Hashes MTH(D[begin:end]) of each range, fetching every underlying perfect
 * subtree in a single `read` call. Only a range touching the right edge of a
 * non-perfect tree spans several nodes; it is folded here rather than stored.
 */
export async function readRangeHashes (ranges: readonly LeafRange[], read: NodeReader): Promise<Buffer[]> {
  const perRange = ranges.map(([begin, end]) => rangeNodes(begin, end))
  const all: TreeNode[] = perRange.flat()
  if (all.length === 0) return []
  const hashes = await read(all)
  if (!Array.isArray(hashes) || hashes.length !== all.length) {
    throw new Error(`node reader returned ${hashes?.length} hashes for ${all.length} nodes`)
  }
  hashes.forEach((h, i) => {
    if (!Buffer.isBuffer(h) || h.length !== 32) {
      const n = all[i] as TreeNode
      throw new Error(`node reader returned a malformed hash for node (${n.level}, ${n.index})`)
    }
  })
  let next = 0
  return perRange.map((nodes) => {
    const slice = hashes.slice(next, next + nodes.length)
    next += nodes.length
    return slice.length === 1 ? (slice[0] as Buffer) : rootFromNodes(slice)
  })
}
