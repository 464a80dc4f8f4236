/** One row of `log_keys`: a key that signed this log's notes. */
export interface LogKeyRecord {
  /** 32 raw Ed25519 public key bytes. */
  publicKey: Buffer
  /** When it first signed: its legacy signatures' start for a legacy key, else `recordedAt`. */
  firstSignedAt: Date
  /** When this service first signed with it under the per-tenant names (`<origin>`). */
  recordedAt: Date
  /** The last time it signed (updated as it signs, at most once a minute or so). */
  lastSignedAt: Date
  /** The single name it signed with before keys were named after origins (SIGNING_KEY_NAME), if it did. */
  legacyName: string | null
}
