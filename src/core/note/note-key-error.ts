/** Thrown for an invalid signed-note key name, public key or verifier key string. */
export class NoteKeyError extends Error {
  /** Stable machine-readable code. */
  readonly code = 'AUDIT_ERR_NOTE_KEY'

  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'NoteKeyError'
  }
}
