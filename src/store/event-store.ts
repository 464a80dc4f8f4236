import type { QueuedEvent } from '../core/audit-record.js'

/** What happened to one event handed to {@link EventStore.commit}. */
export type AppendOutcome =
  | { status: 'stored', seq: number }
  | { status: 'duplicate', seq: number }
  | { status: 'conflict', seq: number, reason: string }

export interface ChainHead {
  tenant: string
  size: number
  headHash: Buffer
  rootHash: Buffer
}

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

export interface Committed {
  /** One per event added, in order. */
  outcomes: AppendOutcome[]
  /** Where the chain ends after the transaction; undefined only for an empty batch with no base. */
  head: ChainPosition | undefined
  /** The rows were linked in the transaction on the locked head rather than taken as prepared. */
  recomputed: boolean
}

/**
 * Storage behind the chain appender. `commit` adds a batch to one tenant's chain atomically:
 * all of its events are linked and stored, or none is (the caller retries). A prepared batch
 * is a prediction only: the store writes it as prepared only if, under the chain's lock, its
 * base is still the head and none of its ids is stored; otherwise it links the events again on
 * the locked head. So no prediction, right or wrong, can fork the chain or store an id twice.
 */
export interface EventStore {
  /** An empty batch on `base` (undefined: unknown), for `commit` of this store only. */
  prepare (tenant: string, base: ChainPosition | undefined): PreparedBatch
  commit (batch: PreparedBatch): Promise<Committed>
  head (tenant: string): Promise<ChainHead | undefined>
}

export function samePosition (a: ChainPosition | undefined, b: ChainPosition | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return a.size === b.size && a.headHash.equals(b.headHash) && a.frontier.equals(b.frontier)
}
