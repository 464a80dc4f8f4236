import { parseCheckpoint } from '../core/checkpoint/index.js'
import { openNote, type ParsedVerifierKey } from '../core/note/index.js'
import { ProofCheckError } from './proof-check-error.js'

/** A checkpoint whose signature by a trusted key verified. */
export interface OpenedCheckpoint {
  origin: string
  size: number
  rootHash: Buffer
  /** Names of the trusted keys that signed it. */
  verifiedBy: string[]
  /** The note, verbatim. */
  note: string
}

/**
 * Opens a signed checkpoint with trusted keys and, when `origin` is given, pins its origin.
 *
 * @throws {ProofCheckError} when the note is malformed, unsigned by a trusted key, has a bad
 *   signature, is not a checkpoint, or names another log.
 */
export function openCheckpoint (note: string, verifiers: readonly ParsedVerifierKey[], origin?: string, what = 'checkpoint'): OpenedCheckpoint {
  let text: string
  let verifiedBy: string[]
  try {
    ({ text, verifiedBy } = openNote(note, verifiers))
  } catch (err) {
    throw new ProofCheckError(`${what}: ${(err as Error).message}`, { cause: err })
  }
  let parsed
  try {
    parsed = parseCheckpoint(text)
  } catch (err) {
    throw new ProofCheckError(`${what}: ${(err as Error).message}`, { cause: err })
  }
  if (origin !== undefined && parsed.origin !== origin) {
    throw new ProofCheckError(`${what}: origin ${JSON.stringify(parsed.origin)} is not ${JSON.stringify(origin)}`)
  }
  return { origin: parsed.origin, size: parsed.size, rootHash: parsed.rootHash, verifiedBy, note }
}
