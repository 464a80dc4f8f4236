import { parseCheckpoint } from '../checkpoint/index.js'
import { openNote, type ParsedVerifierKey } from '../note/index.js'
import type { RecordProblem } from './check-record-content.js'

/** A checkpoint that passed every check not needing the tree. */
export interface TrustedCheckpoint {
  size: number
  rootHash: Buffer
}

/**
 * Opens a signed checkpoint for a verifier: trusted signature, strict
 * format, expected origin, and the signed size equal to the size the caller
 * stored it under. Returns the problem instead of throwing.
 */
export function readCheckpointNote (
  c: { size: number; note: string },
  origin: string,
  verifiers: readonly ParsedVerifierKey[]
): TrustedCheckpoint | RecordProblem {
  let text: string
  try {
    text = openNote(c.note, verifiers).text
  } catch (err) {
    return { kind: 'signature', detail: `checkpoint ${c.size}: ${(err as Error).message}` }
  }
  let cp
  try {
    cp = parseCheckpoint(text)
  } catch (err) {
    return { kind: 'signature', detail: `checkpoint ${c.size}: ${(err as Error).message}` }
  }
  if (cp.origin !== origin) {
    return { kind: 'signature', detail: `checkpoint ${c.size}: origin ${JSON.stringify(cp.origin)} is not ${JSON.stringify(origin)}` }
  }
  if (cp.size !== c.size) {
    return { kind: 'signature', detail: `checkpoint stored as size ${c.size} is signed for size ${cp.size}` }
  }
  return { size: cp.size, rootHash: cp.rootHash }
}
