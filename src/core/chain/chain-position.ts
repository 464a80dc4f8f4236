import type { QueuedEvent } from './audit-record.js'

/** What happened to one event handed to the store's commit. */
export type AppendOutcome =
  | { status: 'stored', seq: number }
  | { status: 'duplicate', seq: number }
  | { status: 'conflict', seq: number, reason: string }

/** Where a chain ends: all that is needed to link further events onto it without reading it. */
export interface ChainPosition {
  size: number
  headHash: Buffer
  /** Merkle frontier (CompactRange.toBuffer). */
  frontier: Buffer
}

/**
 * Events linked in memory onto a chain position that may not be the chain's head any more by
 * the time the batch is committed. Pure: no I/O.
 */
export interface PreparedBatch {
  readonly tenant: string
  /** The position the events were linked onto; undefined: they are linked in the transaction. */
  readonly base: ChainPosition | undefined
  /** Number of events added so far. */
  readonly count: number
  /** Where the chain ends once this batch is stored as prepared; undefined while `base` is. */
  readonly head: ChainPosition | undefined
  /**
   * Links more events; if it throws, the batch is as it was before the call. Without a base
   * nothing is linked until commit, so a bad record then fails the commit instead.
   */
  add (events: readonly QueuedEvent[]): void
}

export function samePosition (a: ChainPosition | undefined, b: ChainPosition | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return a.size === b.size && a.headHash.equals(b.headHash) && a.frontier.equals(b.frontier)
}
