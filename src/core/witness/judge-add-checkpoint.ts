import { verifyConsistency } from '../merkle/index.js'

/** A tree a witness recorded, or one a log asks it to cosign. */
export interface WitnessedTree {
  size: number
  /** 32-byte RFC 6962 root. */
  rootHash: Uint8Array
}

/**
 * What a witness answers to add-checkpoint, before signing: `cosign` (and record the tree
 * when `record`), or a refusal with its tlog-witness status.
 */
export type AddCheckpointVerdict =
  | { kind: 'cosign', record: boolean }
  /** 400: the old size is larger than the checkpoint's (a client asking to roll back). */
  | { kind: 'bad-request', reason: string }
  /** 409: `old` is not the size the witness recorded (`size`), or a same-size tree with another root. */
  | { kind: 'conflict', size: number, reason: string }
  /** 422: the consistency proof does not verify. */
  | { kind: 'inconsistent', reason: string }

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0
}

/**
 * The checks of C2SP tlog-witness add-checkpoint that depend on what the witness recorded
 * for the origin (`recorded`, undefined before its first cosignature), in the spec's order.
 * The log's signature is checked before this; the caller must hold the origin's lock from
 * here until the new tree is durably recorded, or two requests could both pass against the
 * same recorded tree.
 *
 * Never a cosignature for a tree that is not a proven extension of the recorded one: smaller
 * (400 or 409), the same size with another root (409), larger without a valid proof (422).
 */
export function judgeAddCheckpoint (recorded: WitnessedTree | undefined, oldSize: number, proof: readonly Uint8Array[], checkpoint: WitnessedTree): AddCheckpointVerdict {
  if (oldSize > checkpoint.size) {
    return { kind: 'bad-request', reason: `old size ${oldSize} is larger than the checkpoint's size ${checkpoint.size}` }
  }
  const recordedSize = recorded?.size ?? 0
  if (oldSize !== recordedSize) {
    return { kind: 'conflict', size: recordedSize, reason: `old size ${oldSize} is not the size this witness last cosigned (${recordedSize})` }
  }
  if (recorded === undefined) {
    // First sight of the log: nothing to be consistent with. oldSize is 0, and the request
    // parser already refused a proof with it.
    return proof.length === 0 ? { kind: 'cosign', record: true } : { kind: 'inconsistent', reason: 'a proof from size 0 must be empty' }
  }
  if (checkpoint.size === recorded.size) {
    if (!sameBytes(checkpoint.rootHash, recorded.rootHash)) {
      return { kind: 'conflict', size: recorded.size, reason: `a checkpoint of size ${recorded.size} with another root than the one this witness cosigned (a fork)` }
    }
    return proof.length === 0 ? { kind: 'cosign', record: false } : { kind: 'inconsistent', reason: 'the proof between two equal sizes must be empty' }
  }
  if (recorded.size === 0) {
    // The empty tree is a prefix of every tree; RFC 6962 has no proof from it.
    return proof.length === 0 ? { kind: 'cosign', record: true } : { kind: 'inconsistent', reason: 'a proof from size 0 must be empty' }
  }
  if (!verifyConsistency(recorded.size, checkpoint.size, recorded.rootHash, checkpoint.rootHash, proof)) {
    return { kind: 'inconsistent', reason: `the consistency proof from size ${recorded.size} to ${checkpoint.size} does not verify against the recorded root` }
  }
  return { kind: 'cosign', record: true }
}
