import { assertSize, pow2 } from './tree-math.js'

/**
 * Where storage keeps the hash of perfect subtree (level, index).
 *
 * The node is completed by appending leaf `(index + 1) * 2^level - 1`, i.e.
 * the record with seq `(index + 1) * 2^level` (seqs are 1-based), and it is
 * entry `level` of the array `CompactRange.append` returned for that leaf.
 */
export function nodeLocation (level: number, index: number): { seq: number; offset: number } {
  assertSize(level, 'level')
  assertSize(index, 'index')
  const seq = (index + 1) * pow2(level)
  if (!Number.isSafeInteger(seq)) throw new RangeError(`node (${level}, ${index}) is beyond safe integers`)
  return { seq, offset: level }
}
