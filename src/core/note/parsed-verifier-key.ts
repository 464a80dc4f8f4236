/** A trusted Ed25519 note verifier key, as parsed from `name+keyid+base64`. */
export interface ParsedVerifierKey {
  name: string
  /** 4-byte key ID, as it prefixes signatures. */
  keyId: Buffer
  /** 32 raw Ed25519 public key bytes. */
  publicKey: Buffer
}
