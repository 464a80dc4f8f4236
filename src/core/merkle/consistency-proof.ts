import type { NodeReader } from './node-reader.js'
import { readRangeHashes, type LeafRange } from './read-range-hashes.js'
import { assertSize, splitPoint } from './tree-math.js'

/**
 * Leaf ranges of PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true)
 * (RFC 9162 §2.1.4.1), in proof order.
 */
function consistencyRanges (m: number, n: number): LeafRange[] {
  const ranges: LeafRange[] = []
  let lo = 0
  let hi = n
  let whole = true // the RFC's flag b: is D[lo:lo+m] the entire old tree?
  while (m !== hi - lo) {
    const k = splitPoint(hi - lo)
    if (m <= k) {
      ranges.push([lo + k, hi])
      hi = lo + k
    } else {
      ranges.push([lo, lo + k])
      lo += k
      m -= k
      whole = false
    }
  }
  // The old tree's own root is known to the verifier, so it is omitted.
  if (!whole) ranges.push([lo, hi])
  return ranges.reverse()
}

/**
 * Consistency proof between the trees of sizes `size1` and `size2`, from
 * stored perfect-subtree hashes fetched with ONE `read` call. Empty when the
 * sizes are equal.
 *
 * @throws {RangeError} unless 0 < size1 <= size2 (a proof from the empty
 *   tree proves nothing, and verifiers reject it).
 */
export async function consistencyProof (size1: number, size2: number, read: NodeReader): Promise<Buffer[]> {
  assertSize(size1, 'size1')
  assertSize(size2, 'size2')
  if (size1 === 0 || size1 > size2) throw new RangeError(`no consistency proof from size ${size1} to size ${size2}`)
  if (size1 === size2) return []
  return readRangeHashes(consistencyRanges(size1, size2), read)
}
