import { nodeHash } from './node-hash.js'
import { splitPoint } from './tree-math.js'

/** An RFC 6962 tree built in memory over a few leaf hashes: its root and every leaf's path. */
export interface BatchTree {
  root: Buffer
  /** `paths[i]`: the inclusion path of leaf i (RFC 9162 §2.1.3.1), deepest sibling first. */
  paths: Buffer[][]
}

/**
 * MTH(D[0:n]) over leaf HASHES (already `leafHash`ed), with every leaf's inclusion path, in
 * O(n log n) hashes-and-pushes. For receipts: a batch is a few hundred leaves at most.
 *
 * @throws {RangeError} for an empty list.
 */
export function batchTree (leaves: readonly Buffer[]): BatchTree {
  if (leaves.length === 0) throw new RangeError('a batch tree needs at least one leaf')
  const paths: Buffer[][] = leaves.map(() => [])
  const build = (lo: number, hi: number): Buffer => {
    if (hi - lo === 1) return leaves[lo]!
    const k = splitPoint(hi - lo)
    const left = build(lo, lo + k)
    const right = build(lo + k, hi)
    // The children pushed their (deeper) siblings first: paths come out deepest first.
    for (let i = lo; i < lo + k; i++) paths[i]!.push(right)
    for (let i = lo + k; i < hi; i++) paths[i]!.push(left)
    return nodeHash(left, right)
  }
  return { root: build(0, leaves.length), paths }
}

/**
 * How many hashes the inclusion path of leaf `index` in a tree of `size` leaves has: one per
 * split on the way from the root down to the leaf. Needs 0 <= index < size (safe integers).
 */
export function inclusionPathLength (index: number, size: number): number {
  let length = 0
  let lo = 0
  let hi = size
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo)
    if (index < lo + k) hi = lo + k
    else lo += k
    length++
  }
  return length
}
