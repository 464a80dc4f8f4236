import { createHash } from 'node:crypto'

const NODE_PREFIX = Buffer.from([0x01])

/** RFC 6962 interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash (left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest()
}
