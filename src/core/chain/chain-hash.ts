import { hash } from 'node:crypto'

export { GENESIS_HASH, genesisHash } from './genesis-hash.js'

/**
 * Hash-chain link: SHA-256(prev || canonical).
 *
 * @param prev - hash of the previous record (or the genesis hash), 32 bytes.
 * @param canonical - RFC 8785 bytes of this record.
 * @throws {RangeError} if `prev` is not 32 bytes, since a short prefix would
 *   make chains with different predecessors collide in length-ambiguous ways.
 */
export function chainHash (prev: Uint8Array, canonical: Uint8Array): Buffer {
  if (prev.length !== 32) throw new RangeError(`prev hash must be 32 bytes, got ${prev.length}`)
  const input = Buffer.allocUnsafe(32 + canonical.length)
  input.set(prev, 0)
  input.set(canonical, 32)
  return hash('sha256', input, 'buffer')
}
