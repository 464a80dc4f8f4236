import type { AppendOutcome, ChainPosition, PreparedBatch } from '../core/chain/index.js'

export interface ChainHead {
  tenant: string
  size: number
  headHash: Buffer
  rootHash: Buffer
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
