import { decodeBase64 } from '../note/index.js'
import { AddCheckpointRequestError } from './add-checkpoint-request-error.js'

/** A C2SP tlog-witness `add-checkpoint` request: https://c2sp.org/tlog-witness. */
export interface AddCheckpointRequest {
  /** The size of the checkpoint the client believes the witness last cosigned (0: none). */
  oldSize: number
  /** RFC 6962 consistency proof from `oldSize` to the checkpoint's size; empty when `oldSize` is 0. */
  proof: Buffer[]
  /** The signed checkpoint note, signature lines included. */
  note: string
}

// The spec: a client MUST NOT send more than 63 proof lines (a proof in a tree of 2^63 leaves).
export const MAX_PROOF_LINES = 63
const OLD_LINE = /^old (0|[1-9][0-9]*)$/

/**
 * The body `old <size>\n`, one base64 hash per line, an empty line, then the checkpoint note.
 *
 * @throws {AddCheckpointRequestError} on a size that is not a non-negative safe integer, more
 *   than 63 hashes or one that is not 32 bytes, a proof with old size 0, or a note that does
 *   not end with a newline.
 */
export function formatAddCheckpointRequest ({ oldSize, proof, note }: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) throw new AddCheckpointRequestError(`old size must be a non-negative integer, got ${String(oldSize)}`)
  if (!Array.isArray(proof) || proof.length > MAX_PROOF_LINES) throw new AddCheckpointRequestError(`a consistency proof has at most ${MAX_PROOF_LINES} hashes`)
  if (oldSize === 0 && proof.length > 0) throw new AddCheckpointRequestError('the proof must be empty when the old size is 0')
  if (!proof.every(h => h instanceof Uint8Array && h.length === 32)) throw new AddCheckpointRequestError('each proof hash must be 32 bytes')
  if (typeof note !== 'string' || !note.endsWith('\n')) throw new AddCheckpointRequestError('the checkpoint note must end with a newline')
  return `old ${oldSize}\n${proof.map(h => Buffer.from(h).toString('base64') + '\n').join('')}\n${note}`
}

/**
 * Reads an add-checkpoint request body strictly: exactly one form per request, so a witness
 * and the log it serves can never read different proofs out of the same bytes. The note is
 * returned as sent; opening it (signatures, checkpoint format) is the caller's next step.
 *
 * @throws {AddCheckpointRequestError} saying which line is wrong.
 */
export function parseAddCheckpointRequest (body: string): AddCheckpointRequest {
  if (typeof body !== 'string') throw new AddCheckpointRequestError('the body must be text')
  const firstEnd = body.indexOf('\n')
  if (firstEnd < 0) throw new AddCheckpointRequestError('the body must start with an "old <size>" line')
  const match = OLD_LINE.exec(body.slice(0, firstEnd))
  const oldSize = match === null ? NaN : Number(match[1])
  if (!Number.isSafeInteger(oldSize)) {
    throw new AddCheckpointRequestError('the first line must be "old <size>": a decimal size without leading zeros')
  }
  const proof: Buffer[] = []
  let at = firstEnd + 1
  for (;;) {
    const end = body.indexOf('\n', at)
    if (end < 0) throw new AddCheckpointRequestError('no empty line between the proof and the checkpoint')
    const line = body.slice(at, end)
    at = end + 1
    if (line.length === 0) break
    if (proof.length === MAX_PROOF_LINES) throw new AddCheckpointRequestError(`a consistency proof has at most ${MAX_PROOF_LINES} lines`)
    const hash = decodeBase64(line)
    if (hash === null || hash.length !== 32) {
      throw new AddCheckpointRequestError(`proof line ${proof.length + 1} is not the base64 of a 32-byte hash`)
    }
    proof.push(hash)
  }
  if (oldSize === 0 && proof.length > 0) throw new AddCheckpointRequestError('the proof must be empty when the old size is 0')
  const note = body.slice(at)
  if (note.length === 0) throw new AddCheckpointRequestError('no checkpoint after the empty line')
  return { oldSize, proof, note }
}
