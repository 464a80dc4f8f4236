import { createHash } from 'node:crypto'

const LEAF_PREFIX = Buffer.from([0x00])

/** RFC 6962 leaf hash: SHA-256(0x00 || data). The prefix keeps leaves and nodes from colliding. */
export function leafHash (data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest()
}
