import { nodeHash } from './node-hash.js'
import { isHashList } from './is-hash-list.js'
import { isSize } from './tree-math.js'

/**
 * Verifies an inclusion proof with the RFC 9162 §2.1.3.2 algorithm.
 * Never throws: any malformed input simply fails verification.
 */
export function verifyInclusion (
  leafIndex: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array
): boolean {
  if (!isSize(leafIndex) || !isSize(treeSize) || leafIndex >= treeSize) return false
  if (!(leafHash instanceof Uint8Array) || leafHash.length !== 32) return false
  if (!(root instanceof Uint8Array) || root.length !== 32 || !isHashList(proof)) return false
  // Halving instead of >> keeps sizes above 2^32 exact.
  let fn = leafIndex
  let sn = treeSize - 1
  let r: Uint8Array = leafHash
  for (const p of proof) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r)
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2
        sn = Math.floor(sn / 2)
      }
    } else {
      r = nodeHash(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && Buffer.compare(r, root) === 0
}
