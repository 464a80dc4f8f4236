import { genesisHash, ChainBatch, type KnownEvent, type Row, samePosition, type ChainPosition, type PreparedBatch } from '../core/chain/index.js'
import { CompactRange } from '../core/merkle/index.js'
import type { ChainHead, Committed, EventStore } from './event-store.js'

interface MemoryChain {
  head: ChainPosition
  root: Buffer
  rows: Row[]
  ids: Map<string, KnownEvent>
}

/**
 * The EventStore contract in memory, for unit tests of the appender without PostgreSQL (as
 * platformatic/job-queue's memory storage does): the same pure ChainBatch links the events,
 * and a commit keeps the prediction only if its base is still the head and none of its ids is
 * stored, exactly the rule PgEventStore applies under the chain's lock. A commit runs in one
 * synchronous step, which is this store's lock. Not for production: nothing is persisted.
 */
export class MemoryEventStore implements EventStore {
  readonly #chains = new Map<string, MemoryChain>()

  prepare (tenant: string, base: ChainPosition | undefined): ChainBatch {
    return new ChainBatch(tenant, base)
  }

  async head (tenant: string): Promise<ChainHead | undefined> {
    const chain = this.#chains.get(tenant)
    return chain && { tenant, size: chain.head.size, headHash: chain.head.headHash, rootHash: chain.root }
  }

  async commit (prepared: PreparedBatch): Promise<Committed> {
    if (!(prepared instanceof ChainBatch)) throw new TypeError('batch was not prepared by MemoryEventStore')
    if (prepared.count === 0) return { outcomes: [], head: prepared.base, recomputed: false }
    const { tenant, events } = prepared
    const chain = this.#chainOf(tenant)
    const known = new Map<string, KnownEvent>()
    for (const { record } of events) {
      const stored = chain.ids.get(record.id)
      if (stored !== undefined) known.set(record.id, stored)
    }
    const recomputed = known.size > 0 || !samePosition(prepared.base, chain.head)
    const batch = recomputed ? new ChainBatch(tenant, chain.head, known) : prepared
    if (recomputed) batch.add(events)
    const head = batch.head!
    for (const row of batch.rows) {
      chain.rows.push(row)
      chain.ids.set(row.id, { seq: row.seq, digest: row.digest })
    }
    chain.head = head
    chain.root = batch.root()!
    return { outcomes: batch.outcomes, head, recomputed }
  }

  /** The tenant's stored rows in seq order (a copy). */
  rows (tenant: string): Row[] {
    return [...this.#chains.get(tenant)?.rows ?? []]
  }

  #chainOf (tenant: string): MemoryChain {
    let chain = this.#chains.get(tenant)
    if (chain === undefined) {
      const empty = CompactRange.empty()
      chain = { head: { size: 0, headHash: genesisHash(), frontier: empty.toBuffer() }, root: empty.root(), rows: [], ids: new Map() }
      this.#chains.set(tenant, chain)
    }
    return chain
  }
}
