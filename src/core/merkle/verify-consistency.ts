import { nodeHash } from './node-hash.js'
import { isHashList } from './is-hash-list.js'
import { isSize, popcount } from './tree-math.js'

function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0
}

/**
 * Verifies that the tree of size `size1` and root `root1` is a prefix of the
 * tree of size `size2` and root `root2`, with the RFC 9162 §2.1.4.2
 * algorithm. Never throws: malformed input simply fails.
 *
 * A proof from the empty tree is rejected: it would vouch for nothing.
 */
export function verifyConsistency (
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[]
): boolean {
  if (!isSize(size1) || !isSize(size2) || size1 === 0 || size2 < size1) return false
  if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array) || !Array.isArray(proof)) return false
  if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2)
  if (proof.length === 0 || root1.length !== 32 || root2.length !== 32 || !isHashList(proof)) return false

  // A power-of-two old tree is a single node the proof leaves out: the verifier has it.
  const path = popcount(size1) === 1 ? [root1, ...proof] : proof
  let fn = size1 - 1
  let sn = size2 - 1
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2
    sn = Math.floor(sn / 2)
  }
  let fr = path[0] as Uint8Array
  let sr = fr
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2
        sn = Math.floor(sn / 2)
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && bytesEqual(fr, root1) && bytesEqual(sr, root2)
}
