import { verifyConsistency } from '../core/merkle/index.js'
import type { ParsedVerifierKey } from '../core/note/index.js'
import { openCheckpoint, type OpenedCheckpoint } from './open-checkpoint.js'
import { ProofCheckError } from './proof-check-error.js'
import { decodeProofHashes } from './verify-consistency-document.js'
import type { WitnessState } from './witness-state.js'

/** What one poll found. `alarm` means the log contradicted itself or what it signed before. */
export type WitnessOutcome =
  | { kind: 'first', state: WitnessState }
  | { kind: 'unchanged', state: WitnessState }
  | { kind: 'grew', from: number, state: WitnessState }
  | { kind: 'alarm', reason: string, evidence: { last?: WitnessState, note: string, proof?: unknown } }

export interface WitnessStepOptions {
  verifiers: readonly ParsedVerifierKey[]
  /** Pinned origin; otherwise the stored state's, and on the first run whatever the log says. */
  origin?: string
  now?: Date
}

/**
 * One witness poll, given the log's latest checkpoint note: verify its signature, then compare
 * with the last verified checkpoint. A larger tree must come with a consistency proof from the
 * old size that verifies against BOTH roots the witness holds signed (the proof's own roots
 * are never used); the same size must have the same root; a smaller tree is a rollback.
 * `fetchProof` answers `GET /proofs/consistency?from=&to=` (JSON); it may throw for network
 * trouble, which is not an alarm.
 */
export async function witnessStep (
  last: WitnessState | undefined,
  latestNote: string,
  options: WitnessStepOptions,
  fetchProof: (from: number, to: number) => Promise<unknown>
): Promise<WitnessOutcome> {
  const origin = options.origin ?? last?.origin
  let latest: OpenedCheckpoint
  try {
    latest = openCheckpoint(latestNote, options.verifiers, origin, 'latest checkpoint')
  } catch (err) {
    return { kind: 'alarm', reason: (err as Error).message, evidence: { ...(last !== undefined && { last }), note: latestNote } }
  }
  const state: WitnessState = {
    origin: latest.origin,
    size: latest.size,
    root_hash: latest.rootHash.toString('base64'),
    note: latestNote,
    checked_at: (options.now ?? new Date()).toISOString()
  }
  if (last === undefined) return { kind: 'first', state }
  const alarm = (reason: string, proof?: unknown): WitnessOutcome => ({ kind: 'alarm', reason, evidence: { last, note: latestNote, ...(proof !== undefined && { proof }) } })

  if (latest.size < last.size) return alarm(`the log shrank: its latest checkpoint has size ${latest.size}, it signed size ${last.size} before (rollback)`)
  if (latest.size === last.size) {
    return state.root_hash === last.root_hash
      ? { kind: 'unchanged', state: last }
      : alarm(`two different signed roots for size ${last.size}: ${last.root_hash} before, ${state.root_hash} now (fork)`)
  }
  if (last.size === 0) return { kind: 'grew', from: 0, state } // nothing to be consistent with

  const document = await fetchProof(last.size, latest.size)
  let proof: Buffer[]
  try {
    const d = document as { from?: unknown, to?: unknown, proof?: unknown }
    if (d === null || typeof d !== 'object' || d.from !== last.size || d.to !== latest.size) throw new ProofCheckError(`the log answered a proof for other sizes than ${last.size} to ${latest.size}`)
    proof = decodeProofHashes(d.proof)
  } catch (err) {
    return alarm(`bad consistency proof from ${last.size} to ${latest.size}: ${(err as Error).message}`, document)
  }
  if (!verifyConsistency(last.size, latest.size, Buffer.from(last.root_hash, 'base64'), latest.rootHash, proof)) {
    return alarm(`INCONSISTENT: the signed tree of size ${latest.size} does not extend the signed tree of size ${last.size} (the consistency proof does not verify)`, document)
  }
  return { kind: 'grew', from: last.size, state }
}
