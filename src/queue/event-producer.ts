import type { Redis } from 'ioredis'
import type { PendingRecord, QueuedEvent } from '../core/audit-record.js'
import { BacklogFullError, IdConflictError, IdInProgressError, QueueUnavailableError } from '../errors.js'
import { APPEND_JOB_NAME } from './append-job.js'
import type { EventQueue } from './create-event-queue.js'

/** An event on its way in, as `prepareEvent` makes it: what is enqueued, plus what the API answers with. */
export type IngestItem = QueuedEvent & {
  /** Base64 SHA-256 of the canonical record (what a receipt signs, see `recordSha256`). */
  recordSha256: string
  /**
   * The id was made by the API, so no producer can send it again: it needs no idempotency
   * key (24 h of keys for ids nobody can repeat would only fill Redis).
   */
  serverId?: boolean
}

export interface IngestResult {
  id: string
  tenant: string
  received_at: string
  /**
   * Base64 SHA-256 of the canonical record as enqueued (the stored record without `seq`): what
   * the receipt signs. For a duplicate, the ORIGINAL record's, kept with the idempotency key;
   * absent only for a duplicate remembered by a version that kept none.
   */
  record_sha256?: string
  /** True when the event was already accepted earlier: nothing new was enqueued for it. */
  duplicate: boolean
}

export interface EventProducerOptions {
  queue: EventQueue
  redis: Redis
  keyPrefix: string
  idempotencyTtlSeconds: number
  /** Milliseconds to gather concurrent requests into one enqueue; 0 enqueues each at once. */
  batchWindowMs: number
  batchMax: number
  maxWaiting: number
  enqueueTimeoutMs?: number
}

interface Request {
  items: IngestItem[]
  resolve: (results: IngestResult[]) => void
  reject: (err: unknown) => void
}

/**
 * Puts accepted events into Redis. A request's promise resolves only once its events are in
 * a BullMQ job: that is the moment the API may answer 202.
 *
 * Idempotency: an id sent by the producer is claimed in Redis before its event is enqueued
 * (`<prefix>:idem:<tenant>:<id>` = `pending`), then remembered for a while as
 * `<content digest> <received_at> <record_sha256>`. A repeat with the same digest is answered
 * from it without a second job, a repeat with another digest is refused (409), and a repeat
 * while the first is still being enqueued is told to retry (409, Retry-After). Past the key's
 * lifetime the worker's unique (tenant, id) constraint takes over.
 */
export class EventProducer {
  readonly #opts: EventProducerOptions
  /** How long an id stays claimed while its enqueue is in flight (see `#reserve`). */
  readonly #reservationMs: number
  #buffer: Request[] = []
  #buffered = 0
  #timer: NodeJS.Timeout | undefined
  #waiting = 0
  #backlogTimer: NodeJS.Timeout | undefined

  constructor (options: EventProducerOptions) {
    this.#opts = options
    // Long enough to outlive an enqueue that Redis is slow to confirm: the API gives up on it
    // at the enqueue timeout, but it may still land, and then its confirmation replaces the claim.
    this.#reservationMs = Math.max(30_000, (options.enqueueTimeoutMs ?? 3000) * 10)
  }

  /** Jobs waiting in the queue, as last sampled. */
  get waiting (): number {
    return this.#waiting
  }

  /** Samples the backlog twice a second, off the request path. */
  startBacklogMonitor (intervalMs = 500): void {
    const sample = () => {
      this.#opts.queue.getWaitingCount().then(n => { this.#waiting = n }, () => {})
    }
    sample()
    this.#backlogTimer = setInterval(sample, intervalMs)
    this.#backlogTimer.unref()
  }

  submit (items: IngestItem[]): Promise<IngestResult[]> {
    if (this.#waiting >= this.#opts.maxWaiting) {
      return Promise.reject(new BacklogFullError(this.#waiting, this.#opts.maxWaiting))
    }
    return new Promise((resolve, reject) => {
      const request = { items, resolve, reject }
      if (this.#opts.batchWindowMs === 0 || items.length >= this.#opts.batchMax) {
        void this.#flush([request])
        return
      }
      this.#buffer.push(request)
      this.#buffered += items.length
      if (this.#buffered >= this.#opts.batchMax) this.#flushBuffer()
      else this.#timer ??= setTimeout(() => this.#flushBuffer(), this.#opts.batchWindowMs)
    })
  }

  /** Sends whatever is buffered now; used on shutdown so no request is left waiting. */
  async close (): Promise<void> {
    if (this.#backlogTimer !== undefined) clearInterval(this.#backlogTimer)
    this.#flushBuffer()
  }

  #flushBuffer (): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    const requests = this.#buffer
    this.#buffer = []
    this.#buffered = 0
    if (requests.length > 0) void this.#flush(requests)
  }

  async #flush (requests: Request[]): Promise<void> {
    try {
      await this.#withTimeout(this.#enqueue(requests))
    } catch (err) {
      const error = err instanceof QueueUnavailableError ? err : new QueueUnavailableError((err as Error).message)
      for (const request of requests) request.reject(error)
    }
  }

  async #enqueue (requests: Request[]): Promise<void> {
    const { queue, idempotencyTtlSeconds } = this.#opts
    const all = requests.flatMap(r => r.items)
    const keys = all.map(item => item.serverId === true ? undefined : this.#key(item.record))
    const { ours, others } = await this.#reserve(keys)

    // Settled within this flush, so two requests in one window also see each other.
    const seen = new Map<string, Known>()
    const fresh: IngestItem[] = []
    const answers: Array<() => void> = []
    let offset = 0
    for (const request of requests) {
      const results: IngestResult[] = []
      const conflicts: Array<{ index: number, id: string }> = []
      const inProgress: Array<{ index: number, id: string }> = []
      const mine: IngestItem[] = []
      const mineByKey = new Map<string, Known>()
      request.items.forEach((item, index) => {
        const key = keys[offset + index]
        const { id, tenant, received_at: receivedAt } = item.record
        const other = key === undefined ? undefined : others.get(key)
        if (other === PENDING) {
          inProgress.push({ index, id })
          return
        }
        // Earlier items of this same request count too: one batch naming an id twice.
        const prior = key === undefined ? undefined : mineByKey.get(key) ?? seen.get(key) ?? parseKnown(other)
        if (prior === undefined) {
          // The digest of exactly what is enqueued: the worker stores this record plus `seq`.
          mine.push(item)
          if (key !== undefined) mineByKey.set(key, { digest: item.digest, received_at: receivedAt, record_sha256: item.recordSha256 })
          results.push({ id, tenant, received_at: receivedAt, record_sha256: item.recordSha256, duplicate: false })
        } else if (prior.digest === item.digest) {
          // A duplicate answers for the original record, whose receipt is the one that matches.
          results.push({ id, tenant, received_at: prior.received_at, ...(prior.record_sha256 !== undefined && { record_sha256: prior.record_sha256 }), duplicate: true })
        } else {
          conflicts.push({ index, id })
        }
      })
      offset += request.items.length
      if (conflicts.length > 0 || inProgress.length > 0) {
        request.reject(conflicts.length > 0 ? new IdConflictError(conflicts) : new IdInProgressError(inProgress))
        continue
      }
      for (const [key, known] of mineByKey) seen.set(key, known)
      fresh.push(...mine)
      answers.push(() => request.resolve(results))
    }

    if (fresh.length > 0) {
      const jobs = []
      for (let i = 0; i < fresh.length; i += this.#opts.batchMax) {
        jobs.push({ name: APPEND_JOB_NAME, data: { events: fresh.slice(i, i + this.#opts.batchMax).map(item => ({ record: item.record, digest: item.digest })) } })
      }
      try {
        await queue.addBulk(jobs)
      } catch (err) {
        // Nothing was enqueued: free the ids for the client's retry (or they free themselves
        // when the reservation expires). Not on a timeout: the enqueue may still land, and
        // then its confirmation below replaces the reservation.
        await this.#release([...ours]).catch(() => {})
        throw err
      }
    }
    if (ours.size > 0) {
      // The reservations become the remembered ids (reservations of refused requests are freed).
      // Best effort: if this fails the events are still queued, and once the reservation expires
      // a repeat is enqueued again, to be deduplicated by the worker's unique (tenant, id).
      const pipeline = this.#opts.redis.pipeline()
      for (const key of ours) {
        const known = seen.get(key)
        if (known === undefined) pipeline.del(key)
        else pipeline.set(key, `${known.digest} ${known.received_at} ${known.record_sha256}`, 'EX', idempotencyTtlSeconds)
      }
      await pipeline.exec().catch(() => {})
    }
    for (const answer of answers) answer()
  }

  /**
   * Claims every id of the flush in one round trip (`SET NX GET`, atomic per key): an id this
   * flush claimed is ours to enqueue, any other was accepted earlier (its remembered value)
   * or is being accepted by another request right now (PENDING). Claiming before enqueueing
   * is what keeps two first deliveries of one id, through one API instance or several, from
   * both being enqueued and answered as new.
   */
  async #reserve (keys: Array<string | undefined>): Promise<{ ours: Set<string>, others: Map<string, string> }> {
    const ours = new Set<string>()
    const others = new Map<string, string>()
    const distinct = [...new Set(keys.filter((k): k is string => k !== undefined))]
    if (distinct.length === 0) return { ours, others }
    const pipeline = this.#opts.redis.pipeline()
    for (const key of distinct) pipeline.set(key, PENDING, 'PX', this.#reservationMs, 'NX', 'GET')
    const replies = await pipeline.exec()
    distinct.forEach((key, i) => {
      const [err, value] = replies?.[i] ?? [new Error('no reply')]
      if (err != null) throw err
      if (value === null) ours.add(key)
      else others.set(key, value as string)
    })
    return { ours, others }
  }

  async #release (keys: string[]): Promise<void> {
    if (keys.length > 0) await this.#opts.redis.del(...keys)
  }

  #key (record: PendingRecord): string {
    return `${this.#opts.keyPrefix}:idem:${record.tenant}:${record.id}`
  }

  async #withTimeout<T> (promise: Promise<T>): Promise<T> {
    const ms = this.#opts.enqueueTimeoutMs ?? 3000
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new QueueUnavailableError(`Redis did not answer within ${ms} ms`)), ms)
    })
    try {
      return await Promise.race([promise, timeout])
    } finally {
      clearTimeout(timer)
    }
  }
}

/** The value of an id's key while its first request is being enqueued. */
const PENDING = 'pending'

interface Known {
  digest: string
  received_at: string
  record_sha256?: string
}

/** `<digest> <received_at> [<record_sha256>]` (the third field is missing in keys from before receipts). */
function parseKnown (value: string | null | undefined): Known | undefined {
  if (value == null) return undefined
  const [digest = '', receivedAt = '', sha] = value.split(' ')
  return { digest, received_at: receivedAt, ...(sha !== undefined && sha !== '' && { record_sha256: sha }) }
}
