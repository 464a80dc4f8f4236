import { EMPTY_ROOT } from './empty-root.js'
import { nodeHash } from './node-hash.js'

/**
 * Hash of a range given its perfect-subtree hashes, largest (leftmost) first,
 * e.g. the output of reading {@link frontierNodes}.
 *
 * RFC 6962 splits at the largest power of two, so the right-hand subtrees
 * combine first: fold from the right.
 * Returns a copy of {@link EMPTY_ROOT} for an empty list.
 */
export function rootFromNodes (hashes: readonly Uint8Array[]): Buffer {
  const last = hashes[hashes.length - 1]
  if (last === undefined) return Buffer.from(EMPTY_ROOT)
  let acc: Buffer = Buffer.from(last)
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i] as Uint8Array, acc)
  return acc
}
