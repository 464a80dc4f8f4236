import { createHash } from 'node:crypto'

// C2SP tlog-cosignature: the signature type of an Ed25519 cosignature/v1 key. A key's ID depends
// on its type, so the same Ed25519 key has one ID as a note signer (0x01) and another as a
// cosigner (0x04), and a cosignature can never pass for a note signature or the other way round.
const COSIGNATURE_V1_TYPE = 0x04

/**
 * C2SP tlog-cosignature key ID of an Ed25519 cosigner (a witness):
 * SHA-256(name || 0x0A || 0x04 || publicKey)[:4].
 *
 * @param publicKey - the 32 raw RFC 8032 public key bytes.
 */
export function cosignatureKeyId (name: string, publicKey: Uint8Array): Buffer {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, COSIGNATURE_V1_TYPE]))
    .update(publicKey)
    .digest()
  return digest.subarray(0, 4)
}
