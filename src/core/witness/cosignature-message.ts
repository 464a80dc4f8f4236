import { parseCheckpoint } from '../checkpoint/index.js'
import { hasValidNoteChars, NoteVerificationError } from '../note/index.js'

/** The largest timestamp a cosignature may carry (C2SP tlog-cosignature: at most 2^63 - 1), as far as a number holds it exactly. */
export const MAX_COSIGNATURE_TIME = Number.MAX_SAFE_INTEGER

/**
 * The bytes an Ed25519 cosignature/v1 signs (C2SP tlog-cosignature):
 * `cosignature/v1\ntime <seconds>\n` followed by the whole checkpoint body (the note text, with
 * its final newline and any extension lines, without signature lines).
 *
 * @throws {NoteVerificationError} (`malformed`) unless `checkpointText` is a checkpoint body
 *   and `timeSeconds` a non-negative safe integer.
 */
export function cosignatureMessage (checkpointText: string, timeSeconds: number): Buffer {
  if (!Number.isSafeInteger(timeSeconds) || timeSeconds < 0) {
    throw new NoteVerificationError('malformed', `cosignature time must be a non-negative integer number of seconds, got ${String(timeSeconds)}`)
  }
  if (typeof checkpointText !== 'string' || !hasValidNoteChars(checkpointText)) {
    throw new NoteVerificationError('malformed', 'checkpoint body has invalid characters')
  }
  try {
    parseCheckpoint(checkpointText)
  } catch (err) {
    throw new NoteVerificationError('malformed', `not a checkpoint body: ${(err as Error).message}`, { cause: err })
  }
  return Buffer.from(`cosignature/v1\ntime ${timeSeconds}\n${checkpointText}`, 'utf8')
}
