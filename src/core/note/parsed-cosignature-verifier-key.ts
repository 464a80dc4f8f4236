/** A trusted witness (cosigner) key, as parsed from `name+keyid+base64(0x04 || key)`. */
export interface ParsedCosignatureVerifierKey {
  /** Says what the key verifies: a cosignature/v1, never a plain note signature. */
  type: 'cosignature/v1'
  name: string
  /** 4-byte key ID, as it prefixes cosignatures. */
  keyId: Buffer
  /** 32 raw Ed25519 public key bytes. */
  publicKey: Buffer
}
