import type { NodeReader } from './node-reader.js'
import { readRangeHashes, type LeafRange } from './read-range-hashes.js'
import { assertSize, splitPoint } from './tree-math.js'

/**
 * Leaf ranges of PATH(m, D[0:n]) (RFC 9162 §2.1.3.1), deepest first as the
 * proof lists them.
 */
function inclusionRanges (m: number, n: number): LeafRange[] {
  const ranges: LeafRange[] = []
  let lo = 0
  let hi = n
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo)
    if (m < lo + k) {
      ranges.push([lo + k, hi])
      hi = lo + k
    } else {
      ranges.push([lo, lo + k])
      lo += k
    }
  }
  // The recursion appends siblings on the way back up; we walked down.
  return ranges.reverse()
}

/**
 * Inclusion proof (audit path) of leaf `leafIndex` in the tree of size
 * `treeSize`, from stored perfect-subtree hashes fetched with ONE `read` call.
 *
 * @throws {RangeError} unless 0 <= leafIndex < treeSize.
 */
export async function inclusionProof (leafIndex: number, treeSize: number, read: NodeReader): Promise<Buffer[]> {
  assertSize(leafIndex, 'leafIndex')
  assertSize(treeSize, 'treeSize')
  if (leafIndex >= treeSize) throw new RangeError(`leafIndex ${leafIndex} is not in a tree of size ${treeSize}`)
  return readRangeHashes(inclusionRanges(leafIndex, treeSize), read)
}
