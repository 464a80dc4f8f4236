import { decodeBase64, type ParsedVerifierKey } from '../core/note/index.js'
import { verifyConsistency } from '../core/merkle/index.js'
import { openCheckpoint, type OpenedCheckpoint } from './open-checkpoint.js'
import { ProofCheckError } from './proof-check-error.js'

/** The JSON `GET /proofs/consistency` answers (only these members are read). */
export interface ConsistencyDocument {
  from: number
  to: number
  /** Base64 hashes, RFC 9162 §2.1.4 order. */
  proof: string[]
  from_checkpoint?: string
  to_checkpoint?: string
}

export interface VerifiedConsistency {
  origin: string
  from: number
  to: number
  from_root: string
  to_root: string
  verified_by: string[]
  /** Whether the old side was the caller's own checkpoint rather than the one in the document. */
  own_checkpoint: boolean
}

/** Reads the hash list of a consistency proof strictly. @throws {ProofCheckError} */
export function decodeProofHashes (proof: unknown): Buffer[] {
  if (!Array.isArray(proof)) throw new ProofCheckError('proof must be an array of base64 hashes')
  return proof.map((h, i) => {
    const bytes = typeof h === 'string' ? decodeBase64(h) : null
    if (bytes === null || bytes.length !== 32) throw new ProofCheckError(`proof[${i}] is not base64 of a 32-byte hash`)
    return bytes
  })
}

/**
 * Checks that the log only grew between two signed checkpoints: both open with a trusted key,
 * name the same log (the pinned origin, if any), and the proof links the old root to the new.
 * The old checkpoint should be one the caller kept (`oldCheckpoint`): the document's own
 * `from_checkpoint` only shows the server's two checkpoints agree with each other.
 *
 * @throws {ProofCheckError} naming the first check that failed.
 */
export function verifyConsistencyDocument (doc: unknown, options: { verifiers: readonly ParsedVerifierKey[], origin?: string, oldCheckpoint?: string }): VerifiedConsistency {
  if (doc === null || typeof doc !== 'object') throw new ProofCheckError('a consistency proof is a JSON object')
  const d = doc as Partial<Record<keyof ConsistencyDocument, unknown>>
  if (!Number.isSafeInteger(d.from) || !Number.isSafeInteger(d.to)) throw new ProofCheckError('from and to must be integers')
  const proof = decodeProofHashes(d.proof)
  const oldNote = options.oldCheckpoint ?? d.from_checkpoint
  if (typeof oldNote !== 'string') throw new ProofCheckError(`no checkpoint at size ${String(d.from)} to check from: give the one you kept`)
  if (typeof d.to_checkpoint !== 'string') throw new ProofCheckError(`the proof has no signed checkpoint at size ${String(d.to)} (to_checkpoint)`)
  const older: OpenedCheckpoint = openCheckpoint(oldNote, options.verifiers, options.origin, 'old checkpoint')
  const newer = openCheckpoint(d.to_checkpoint, options.verifiers, options.origin ?? older.origin, 'new checkpoint')
  if (older.size !== d.from) throw new ProofCheckError(`old checkpoint is for size ${older.size}, the proof starts at ${String(d.from)}`)
  if (newer.size !== d.to) throw new ProofCheckError(`new checkpoint is for size ${newer.size}, the proof ends at ${String(d.to)}`)
  if (newer.size < older.size) throw new ProofCheckError(`INCONSISTENT: the new checkpoint (size ${newer.size}) is smaller than the old one (size ${older.size}): the log shrank`)
  if (!verifyConsistency(older.size, newer.size, older.rootHash, newer.rootHash, proof)) {
    throw new ProofCheckError(`INCONSISTENT: the tree of size ${newer.size} does not extend the signed tree of size ${older.size}`)
  }
  return {
    origin: older.origin,
    from: older.size,
    to: newer.size,
    from_root: older.rootHash.toString('base64'),
    to_root: newer.rootHash.toString('base64'),
    verified_by: newer.verifiedBy,
    own_checkpoint: options.oldCheckpoint !== undefined
  }
}
