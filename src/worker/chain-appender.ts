import { type QueuedEvent, samePosition, type AppendOutcome, type ChainPosition, type PreparedBatch } from '../core/chain/index.js'
import type { EventStore } from '../store/event-store.js'

export interface ChainAppenderOptions {
  store: EventStore
  /** Most events written in one transaction; a larger request is never split. */
  maxBatch: number
  /** Told the size and duration of every transaction, committed or failed (metrics). */
  onTransaction?: (outcome: 'committed' | 'failed', events: number, seconds: number) => void
}

interface Waiter {
  events: QueuedEvent[]
  resolve: (outcomes: AppendOutcome[]) => void
  reject: (err: unknown) => void
}

/** Requests whose events are in one prepared batch, in the batch's order. */
interface Batch {
  waiters: Waiter[]
  rows: PreparedBatch
}

/** One tenant's pipeline: a transaction in flight, the batch prepared behind it, the queue. */
interface Lane {
  queue: Waiter[]
  next: Batch | undefined
  /** The head the transaction in flight leaves if its prediction holds; `next` is built on it. */
  predicted: ChainPosition | undefined
  fillScheduled: boolean
}

/**
 * Group commit per tenant, pipelined: while one transaction for a tenant is in flight, further
 * requests queue up and are linked (canonical JSON, hashes, tree nodes) onto the head that
 * transaction will leave, so this process's work overlaps PostgreSQL's; the next transaction
 * starts when the one in flight ends. Under load batches grow by themselves; when idle a single
 * event is written at once, with no timer to wait for.
 *
 * A prediction is only a head this process expects. If the transaction before left another
 * head, or failed, the next batch is linked again on what is known before it is committed; and
 * the store, under the chain's lock, writes rows only on the head they were linked onto (other
 * processes are serialised by that lock, not by this class).
 */
export class ChainAppender {
  readonly #store: EventStore
  readonly #maxBatch: number
  readonly #onTransaction: ChainAppenderOptions['onTransaction']
  readonly #lanes = new Map<string, Lane>()

  constructor (options: ChainAppenderOptions) {
    this.#store = options.store
    this.#maxBatch = options.maxBatch
    this.#onTransaction = options.onTransaction
  }

  append (tenant: string, events: QueuedEvent[]): Promise<AppendOutcome[]> {
    return new Promise((resolve, reject) => {
      const waiter = { events, resolve, reject }
      const lane = this.#lanes.get(tenant)
      if (lane !== undefined) {
        lane.queue.push(waiter)
        this.#scheduleFill(tenant, lane)
        return
      }
      const fresh: Lane = { queue: [waiter], next: undefined, predicted: undefined, fillScheduled: false }
      this.#lanes.set(tenant, fresh)
      void this.#flush(tenant, fresh)
    })
  }

  async #flush (tenant: string, lane: Lane): Promise<void> {
    // The head after this lane's last transaction; unknown before the first and after a failure,
    // and forgotten when the lane goes idle (another process may append meanwhile).
    let known: ChainPosition | undefined
    try {
      for (let batch = this.#take(tenant, lane, known); batch !== undefined; batch = this.#take(tenant, lane, known)) {
        const started = performance.now()
        try {
          lane.predicted = batch.rows.head
          const committing = this.#store.commit(batch.rows)
          this.#scheduleFill(tenant, lane)
          const { outcomes, head } = await committing
          known = head
          this.#onTransaction?.('committed', outcomes.length, (performance.now() - started) / 1000)
          let offset = 0
          for (const waiter of batch.waiters) {
            waiter.resolve(outcomes.slice(offset, offset + waiter.events.length))
            offset += waiter.events.length
          }
        } catch (err) {
          known = undefined
          this.#onTransaction?.('failed', batch.rows.count, (performance.now() - started) / 1000)
          for (const waiter of batch.waiters) waiter.reject(err)
        }
      }
    } catch (err) {
      // Only a bug gets here (positions come from the store and are valid): fail the requests
      // rather than leave them waiting forever.
      for (const waiter of [...lane.next?.waiters ?? [], ...lane.queue]) waiter.reject(err)
    } finally {
      this.#lanes.delete(tenant)
    }
  }

  /** The batch to commit now: the one prepared behind the last transaction, topped up from the queue. */
  #take (tenant: string, lane: Lane, known: ChainPosition | undefined): Batch | undefined {
    const prepared = lane.next
    // Prepared on the head the last transaction was expected to leave; if it left another, or
    // failed (known is then undefined), these rows are void: link the events again.
    const batch = prepared !== undefined && samePosition(prepared.rows.base, known)
      ? prepared
      : this.#rebuild(tenant, prepared?.waiters ?? [], known)
    lane.next = undefined
    while (this.#fits(batch, lane.queue)) this.#add(batch, lane.queue.shift()!)
    return batch.waiters.length > 0 ? batch : undefined
  }

  // One request per macrotask, so that the replies to the transaction in flight are read
  // between them instead of waiting for the whole next batch to be linked.
  #scheduleFill (tenant: string, lane: Lane): void {
    if (lane.fillScheduled || lane.queue.length === 0) return
    lane.fillScheduled = true
    setImmediate(() => {
      lane.fillScheduled = false
      if (this.#lanes.get(tenant) !== lane) return
      try {
        lane.next ??= this.#rebuild(tenant, [], lane.predicted)
      } catch {
        return // the waiters stay queued; #take meets the same error and fails them
      }
      if (!this.#fits(lane.next, lane.queue)) return
      this.#add(lane.next, lane.queue.shift()!)
      this.#scheduleFill(tenant, lane)
    })
  }

  #fits (batch: Batch, queue: Waiter[]): boolean {
    return queue.length > 0 && (batch.waiters.length === 0 || batch.rows.count + queue[0]!.events.length <= this.#maxBatch)
  }

  #add (batch: Batch, waiter: Waiter): void {
    try {
      batch.rows.add(waiter.events)
      batch.waiters.push(waiter)
    } catch (err) {
      // Only this request's events could not be linked (a record with no canonical form). A
      // batch with no predicted base links at commit instead, where such a record fails it whole.
      waiter.reject(err)
    }
  }

  #rebuild (tenant: string, waiters: Waiter[], base: ChainPosition | undefined): Batch {
    const batch: Batch = { waiters: [], rows: this.#store.prepare(tenant, base) }
    for (const waiter of waiters) this.#add(batch, waiter)
    return batch
  }
}
