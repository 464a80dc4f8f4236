import { createHash } from 'node:crypto'

const ED25519_TYPE = 0x01

/**
 * C2SP signed-note key ID for an Ed25519 key:
 * SHA-256(name || 0x0A || 0x01 || publicKey)[:4].
 *
 * @param publicKey - the 32 raw RFC 8032 public key bytes.
 */
export function noteKeyId (name: string, publicKey: Uint8Array): Buffer {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, ED25519_TYPE]))
    .update(publicKey)
    .digest()
  return digest.subarray(0, 4)
}
