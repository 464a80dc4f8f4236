import { hasValidNoteChars } from './has-valid-note-chars.js'
import { NoteVerificationError } from './note-verification-error.js'

// The spec asks verifiers to cap signatures (and to accept at least 16).
const MAX_SIGNATURES = 100

/** A signed note cut into its text and its signature lines, nothing verified yet. */
export interface SplitNote {
  /** The signed text, including its final newline. */
  text: string
  /** The signature lines, without their newlines. */
  lines: string[]
}

/** A `malformed` NoteVerificationError, worded as every note reader words it. */
export function malformedNote (why: string): NoteVerificationError {
  return new NoteVerificationError('malformed', `malformed note: ${why}`)
}

/**
 * Splits a C2SP signed note at its LAST blank line (the text may contain blank lines): what
 * `openNote` and the cosignature reader both start from.
 *
 * @throws {NoteVerificationError} `malformed` for invalid characters, no signature block, a
 *   block not ending in a newline, or more than 100 signatures.
 */
export function splitSignedNote (note: string): SplitNote {
  if (typeof note !== 'string' || !hasValidNoteChars(note)) throw malformedNote('invalid characters')
  const split = note.lastIndexOf('\n\n')
  if (split < 0) throw malformedNote('no blank line before signatures')
  const text = note.slice(0, split + 1)
  const block = note.slice(split + 2)
  if (block.length === 0 || !block.endsWith('\n')) throw malformedNote('signature block must end with a newline')
  const lines = block.slice(0, -1).split('\n')
  if (lines.length > MAX_SIGNATURES) throw malformedNote('too many signatures')
  return { text, lines }
}
