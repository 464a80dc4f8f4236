import type { Redis } from 'ioredis'
import type { PendingRecord, QueuedEvent } from '../core/audit-record.js'
import { BacklogFullError, IdConflictError, QueueUnavailableError } from '../errors.js'
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
 * Idempotency: each accepted id leaves a key `<prefix>:idem:<tenant>:<id>` holding
 * `<content digest> <received_at> <record_sha256>` for a while; a repeat with the same digest is answered from it without a second job, a
 * repeat with another digest is refused (409). Past the key's lifetime the worker's unique
 * (tenant, id) constraint takes over.
 */
export class EventProducer {
  readonly #opts: EventProducerOptions
  #buffer: Request[] = []
  #buffered = 0
  #timer: NodeJS.Timeout | undefined
  #waiting = 0
  #backlogTimer: NodeJS.Timeout | undefined

  constructor (options: EventProducerOptions) {
    this.#opts = options
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
    const { redis, queue, idempotencyTtlSeconds } = this.#opts
    const all = requests.flatMap(r => r.items)
    const keys = all.map(item => item.serverId === true ? undefined : this.#key(item.record))
    const lookups = keys.filter((k): k is string => k !== undefined)
    const found = lookups.length === 0 ? [] : await redis.mget(...lookups)
    const byKey = new Map(lookups.map((k, i) => [k, found[i]]))

    // Settled within this flush, so two requests in one window also see each other.
    const seen = new Map<string, Known>()
    const fresh: IngestItem[] = []
    const answers: Array<() => void> = []
    let offset = 0
    for (const request of requests) {
      const results: IngestResult[] = []
      const conflicts: Array<{ index: number, id: string }> = []
      const mine: IngestItem[] = []
      const mineByKey = new Map<string, Known>()
      request.items.forEach((item, index) => {
        const key = keys[offset + index]
        // Earlier items of this same request count too: one batch naming an id twice.
        const prior = key === undefined ? undefined : mineByKey.get(key) ?? seen.get(key) ?? parseKnown(byKey.get(key))
        const { id, tenant, received_at: receivedAt } = item.record
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
      if (conflicts.length > 0) {
        request.reject(new IdConflictError(conflicts))
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
      await queue.addBulk(jobs)
    }
    if (seen.size > 0) {
      // Best effort: if this fails the events are still queued, only the fast duplicate
      // answer is lost and the worker's unique (id, tenant) deduplicates instead.
      const pipeline = redis.pipeline()
      for (const [key, known] of seen) {
        pipeline.set(key, `${known.digest} ${known.received_at} ${known.record_sha256}`, 'EX', idempotencyTtlSeconds, 'NX')
      }
      await pipeline.exec().catch(() => {})
    }
    for (const answer of answers) answer()
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
