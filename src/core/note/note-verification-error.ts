/**
 * Why a note was rejected: `malformed` (not a well-formed signed note),
 * `unverified` (no signature from a known key), `bad-signature` (a known
 * key's signature failed, which the spec says should sink the whole note).
 */
export type NoteRejection = 'malformed' | 'unverified' | 'bad-signature'

/** Thrown by `openNote` and `signNote` when a note cannot be accepted or produced. */
export class NoteVerificationError extends Error {
  /** Stable machine-readable code. */
  readonly code = 'AUDIT_ERR_NOTE'
  readonly reason: NoteRejection

  constructor (reason: NoteRejection, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'NoteVerificationError'
    this.reason = reason
  }
}
