import type { QueuedEvent } from './audit-record.js'
import { canonicalAt } from './canonical-at.js'
import { chainHash } from './chain-hash.js'
import { CompactRange, leafHash } from '../merkle/index.js'
import type { AppendOutcome, ChainPosition, PreparedBatch } from './chain-position.js'

/** An id already in the chain (stored, or earlier in the batch) and its content digest. */
export interface KnownEvent {
  seq: number
  digest: Buffer
}

/** One row of `audit_events` as the store inserts it. */
export interface Row {
  seq: number
  id: string
  prevHash: Buffer
  hash: Buffer
  canonical: Buffer
  digest: Buffer
  treeNodes: Buffer
}

interface Staged {
  outcome: AppendOutcome
  id: string
  digest: Buffer
  canonical?: Buffer
}

/**
 * Events linked onto a chain position in memory, as PgEventStore stores them: each
 * record at its seq, its canonical bytes, chain hash and completed tree nodes, and the head
 * they leave. Being pure, the next batch can be built on a predicted head while a transaction
 * is in flight; the store decides under the chain's lock whether the prediction held.
 *
 * On an unknown base the batch only collects its events; the store links them in its transaction.
 */
export class ChainBatch implements PreparedBatch {
  readonly tenant: string
  readonly base: ChainPosition | undefined
  readonly events: QueuedEvent[] = []
  readonly outcomes: AppendOutcome[] = []
  readonly rows: Row[] = []
  readonly #known: Map<string, KnownEvent>
  readonly #range: CompactRange | undefined
  #prev: Buffer | undefined

  /** @param known ids already stored for the tenant; the batch adds its own. */
  constructor (tenant: string, base: ChainPosition | undefined, known = new Map<string, KnownEvent>()) {
    this.tenant = tenant
    this.base = base
    this.#known = known
    if (base !== undefined) {
      this.#range = CompactRange.fromBuffer(base.size, base.frontier)
      this.#prev = base.headHash
    }
  }

  get count (): number {
    return this.events.length
  }

  get head (): ChainPosition | undefined {
    if (this.#range === undefined) return undefined
    return { size: this.#range.size, headHash: this.#prev!, frontier: this.#range.toBuffer() }
  }

  root (): Buffer | undefined {
    return this.#range?.root()
  }

  add (events: readonly QueuedEvent[]): void {
    if (this.#range !== undefined) this.#link(this.#stage(events), this.#range)
    for (const event of events) this.events.push(event)
  }

  // Everything that can throw (a record with no canonical form) happens here, before any state
  // changes, so one bad request does not spoil the batch it was added to.
  #stage (events: readonly QueuedEvent[]): Staged[] {
    const staged: Staged[] = []
    const seen = new Map<string, KnownEvent>()
    let size = this.#range!.size
    for (const event of events) {
      const { record, digest: digestHex } = event
      const digest = Buffer.from(digestHex, 'hex')
      const existing = this.#known.get(record.id) ?? seen.get(record.id)
      if (existing !== undefined) {
        const outcome: AppendOutcome = existing.digest.equals(digest)
          ? { status: 'duplicate', seq: existing.seq }
          : { status: 'conflict', seq: existing.seq, reason: `event id ${record.id} is already stored at seq ${existing.seq} with different content` }
        staged.push({ outcome, id: record.id, digest })
        continue
      }
      const seq = ++size
      seen.set(record.id, { seq, digest })
      staged.push({ outcome: { status: 'stored', seq }, id: record.id, digest, canonical: canonicalAt(event, seq, this.tenant) })
    }
    return staged
  }

  #link (staged: Staged[], range: CompactRange): void {
    for (const { outcome, id, digest, canonical } of staged) {
      this.outcomes.push(outcome)
      if (canonical === undefined) continue
      const prevHash = this.#prev!
      const hash = chainHash(prevHash, canonical)
      const treeNodes = Buffer.concat(range.append(leafHash(canonical)))
      this.rows.push({ seq: outcome.seq, id, prevHash, hash, canonical, digest, treeNodes })
      this.#known.set(id, { seq: outcome.seq, digest })
      this.#prev = hash
    }
  }
}
