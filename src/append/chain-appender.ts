import type { QueuedEvent } from '../core/audit-record.js'
import type { AppendOutcome, EventStore } from '../store/event-store.js'

export interface ChainAppenderOptions {
  store: EventStore
  /** Most events written in one transaction; a larger request is never split. */
  maxBatch: number
  /** Told the size of every committed transaction (metrics). */
  onCommit?: (events: number) => void
}

interface Waiter {
  events: QueuedEvent[]
  resolve: (outcomes: AppendOutcome[]) => void
  reject: (err: unknown) => void
}

/**
 * Group commit per tenant: while one transaction for a tenant is in flight, further requests
 * for that tenant queue up and go into the next transaction together. Under load batches grow
 * by themselves; when idle a single event is written at once, with no timer to wait for.
 * Other processes are serialised by the store's per-chain lock, not by this class.
 */
export class ChainAppender {
  readonly #store: EventStore
  readonly #maxBatch: number
  readonly #onCommit: ((events: number) => void) | undefined
  readonly #pending = new Map<string, Waiter[]>()
  readonly #flushing = new Set<string>()

  constructor (options: ChainAppenderOptions) {
    this.#store = options.store
    this.#maxBatch = options.maxBatch
    this.#onCommit = options.onCommit
  }

  append (tenant: string, events: QueuedEvent[]): Promise<AppendOutcome[]> {
    return new Promise((resolve, reject) => {
      const queue = this.#pending.get(tenant)
      const waiter = { events, resolve, reject }
      if (queue === undefined) this.#pending.set(tenant, [waiter])
      else queue.push(waiter)
      if (!this.#flushing.has(tenant)) void this.#flush(tenant)
    })
  }

  async #flush (tenant: string): Promise<void> {
    this.#flushing.add(tenant)
    try {
      for (let batch = this.#take(tenant); batch.length > 0; batch = this.#take(tenant)) {
        try {
          const outcomes = await this.#store.append(tenant, batch.flatMap(w => w.events))
          this.#onCommit?.(outcomes.length)
          let offset = 0
          for (const waiter of batch) {
            waiter.resolve(outcomes.slice(offset, offset + waiter.events.length))
            offset += waiter.events.length
          }
        } catch (err) {
          for (const waiter of batch) waiter.reject(err)
        }
      }
    } finally {
      this.#flushing.delete(tenant)
    }
  }

  #take (tenant: string): Waiter[] {
    const queue = this.#pending.get(tenant)
    if (queue === undefined) return []
    const batch: Waiter[] = []
    let count = 0
    while (queue.length > 0 && (batch.length === 0 || count + queue[0]!.events.length <= this.#maxBatch)) {
      const waiter = queue.shift()!
      batch.push(waiter)
      count += waiter.events.length
    }
    if (queue.length === 0) this.#pending.delete(tenant)
    return batch
  }
}
