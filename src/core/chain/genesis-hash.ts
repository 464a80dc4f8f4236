const ZERO_32 = Buffer.alloc(32)

/**
 * The `prev` hash of the very first record: 32 zero bytes.
 *
 * Buffers cannot be frozen, so treat this one as read-only; call
 * {@link genesisHash} when a private, mutable copy is needed.
 */
export const GENESIS_HASH: Buffer = ZERO_32

/** A fresh copy of {@link GENESIS_HASH}, safe to mutate. */
export function genesisHash (): Buffer {
  return Buffer.alloc(32)
}
