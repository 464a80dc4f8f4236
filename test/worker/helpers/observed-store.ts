import type { ChainPosition, PreparedBatch, QueuedEvent } from '../../../src/core/chain/index.js'
import { compileScrubber } from '../../../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../../../src/ingest/prepare-event.js'
import type { AuditEventInput } from '../../../src/schemas/audit-event.js'
import type { Committed, EventStore } from '../../../src/store/event-store.js'
import { queuedOf, sampleEvent } from '../../helper.js'

// Shared by the chain appender's tests on PostgreSQL (append-pipeline) and in memory
// (chain-appender): the same cases, the same observation of what the appender asks.

const scrub = compileScrubber()

/** An event as the API enqueues it, told apart by `name` (its target id). */
export const queuedEvent = (tenant: string, name: string, overrides: Record<string, unknown> = {}): QueuedEvent =>
  queuedOf(prepareEvent(sampleEvent({ target: { type: 'doc', id: name }, ...overrides }) as AuditEventInput,
    { tenant, requestId: `req-${name}`, receivedAt: '2026-11-26T12:00:01Z', scrub }))

export const queuedEvents = (tenant: string, prefix: string, n: number) => Array.from({ length: n }, (_, i) => queuedEvent(tenant, `${prefix}${i}`))

export const seqs = (outcomes: Array<{ seq: number }>) => outcomes.map(o => o.seq)

export interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
}

export function deferred<T> (): Deferred<T> {
  let resolve!: (value: T) => void
  const promise = new Promise<T>(_resolve => { resolve = _resolve })
  return { promise, resolve }
}

interface CommitRecord {
  base: ChainPosition | undefined
  count: number
  result?: Committed
}

/**
 * A store that records what the appender asks of it; one commit can be held, then let through
 * or failed. `turnPerCommit`: a commit of the memory store is synchronous, so one turn of the
 * loop stands for the round trip and requests can arrive while it is in flight.
 */
export class ObservedStore implements EventStore {
  readonly prepared: Array<{ base: ChainPosition | undefined, whileCommitting: boolean }> = []
  readonly commits: CommitRecord[] = []
  readonly #inner: EventStore
  readonly #turnPerCommit: boolean
  readonly #holds = new Map<number, { started: Deferred<void>, release: Deferred<'commit' | 'fail'> }>()
  readonly #linked: Array<{ size: number, done: () => void }> = []
  #onPrepare: ((base: ChainPosition | undefined) => void) | undefined
  #inFlight = 0

  constructor (inner: EventStore, { turnPerCommit = false } = {}) {
    this.#inner = inner
    this.#turnPerCommit = turnPerCommit
  }

  /** Holds the `n`th commit (from 1) before it reaches the store. */
  hold (n: number) {
    const hold = { started: deferred<void>(), release: deferred<'commit' | 'fail'>() }
    this.#holds.set(n, hold)
    return { started: hold.started.promise, release: hold.release.resolve }
  }

  /** The base of the next batch the appender prepares. */
  nextPrepare (): Promise<ChainPosition | undefined> {
    const next = deferred<ChainPosition | undefined>()
    this.#onPrepare = next.resolve
    return next.promise
  }

  /**
   * Resolves once the next request's events are linked onto a head of `size` (the appender may
   * prepare an empty batch before the request arrives: what counts is where its events go).
   */
  linkedOn (size: number): Promise<void> {
    const next = deferred<void>()
    this.#linked.push({ size, done: next.resolve })
    return next.promise
  }

  prepare (tenant: string, base: ChainPosition | undefined): PreparedBatch {
    this.prepared.push({ base, whileCommitting: this.#inFlight > 0 })
    this.#onPrepare?.(base)
    this.#onPrepare = undefined
    const batch = this.#inner.prepare(tenant, base)
    const add = batch.add.bind(batch)
    batch.add = events => {
      add(events)
      const i = this.#linked.findIndex(l => l.size === base?.size)
      if (i >= 0) this.#linked.splice(i, 1)[0]!.done()
    }
    return batch
  }

  async commit (batch: PreparedBatch): Promise<Committed> {
    const record: CommitRecord = { base: batch.base, count: batch.count }
    this.commits.push(record)
    const hold = this.#holds.get(this.commits.length)
    this.#inFlight++
    try {
      if (this.#turnPerCommit) await new Promise(resolve => setImmediate(resolve))
      if (hold !== undefined) {
        hold.started.resolve()
        if (await hold.release.promise === 'fail') throw new Error('injected commit failure')
      }
      record.result = await this.#inner.commit(batch)
      return record.result
    } finally {
      this.#inFlight--
    }
  }

  head (tenant: string) {
    return this.#inner.head(tenant)
  }
}
