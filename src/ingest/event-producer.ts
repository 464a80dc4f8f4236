import type { RedisClient } from '../queue/redis-connection.js'
import type { Config } from '../config.js'
import { BacklogFullError, IdConflictError, IdInProgressError, QueueUnavailableError } from '../errors.js'
import { APPEND_JOB_NAME, toJobEvent, type AppendJobData, type CanonicalJobEvent } from '../queue/append-job.js'
import type { EventQueue } from '../queue/create-event-queue.js'
import { JobMac } from '../queue/job-mac.js'
import { ID_PENDING, IdClaims, type KnownId } from './id-claims.js'
import type { StoredIdLookup } from './stored-id-lookup.js'
import { raceDeadline } from '../race-deadline.js'
import type { IngestItem } from './prepare-event.js'

export type { IngestItem } from './prepare-event.js'

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
  redis: RedisClient
  keyPrefix: string
  idempotencyTtlSeconds: number
  /** Milliseconds to gather concurrent requests into one enqueue; 0 enqueues each at once. */
  batchWindowMs: number
  batchMax: number
  maxWaiting: number
  enqueueTimeoutMs?: number
  /** JOB_MAX_BYTES: a job holds events up to about this many payload bytes (1 MiB by default). */
  jobMaxBytes?: number
  /** JOB_HMAC_KEY: each job carries the MAC of its events. */
  jobMac?: JobMac
  /** Where ids Redis does not remember are looked up before they are answered as new. */
  storedIds?: StoredIdLookup
  /** Milliseconds the stored-id lookup may take before the flush goes on without it (1000). */
  lookupTimeoutMs?: number
  /** Told when the stored-id lookup fails (logged by the caller). */
  onLookupError?: (err: unknown) => void
  /**
   * REDIS_WAIT_REPLICAS: replicas that must have a flush's jobs before its requests are
   * answered (0: none). Replication is asynchronous, so without it a master killed right
   * after answering takes the jobs with it and the promoted replica never had them.
   */
  waitReplicas?: number
}

/** The producer as configured; the API and the `keys` command send events through the same one. */
export function eventProducerOptions (config: Config, queue: EventQueue, redis: RedisClient): EventProducerOptions {
  return {
    queue,
    redis,
    keyPrefix: config.queuePrefix,
    idempotencyTtlSeconds: config.idempotencyTtlSeconds,
    batchWindowMs: config.ingestBatchWindowMs,
    batchMax: config.ingestBatchMax,
    maxWaiting: config.queueMaxWaiting,
    jobMaxBytes: config.jobMaxBytes,
    waitReplicas: config.redisWaitReplicas,
    ...(config.jobHmacKey !== undefined && { jobMac: new JobMac(config.jobHmacKey) })
  }
}

interface Group {
  request: Request
  results: IngestResult[]
  /** Events of this request to enqueue, and the idempotency keys it claimed for them. */
  items: IngestItem[]
  keys: string[]
  /** Requests whose events this one's duplicates were answered from. */
  dependsOn: Set<Group>
  failed: QueueUnavailableError | undefined
}

const DEFAULT_JOB_MAX_BYTES = 1024 * 1024
/** `{"canonical":…,"seqAt":…,"digest":"<64 hex>"}` and a comma, around each record in a job's JSON (whose quotes are escaped there). */
const EVENT_OVERHEAD_BYTES = 100

const unavailable = (err: unknown) => err instanceof QueueUnavailableError ? err : new QueueUnavailableError((err as Error).message)

interface Request {
  items: IngestItem[]
  resolve: (results: IngestResult[]) => void
  reject: (err: unknown) => void
}

/**
 * Puts accepted events into Redis. A request's promise resolves only once its events are in
 * a BullMQ job: that is the moment the API may answer 202.
 *
 * Idempotency: an id sent by the producer is claimed in Redis before its event is enqueued,
 * then remembered for a while (IdClaims). A repeat with the same digest is answered from it
 * without a second job, a repeat with another digest is refused (409), and a repeat while the
 * first is still being enqueued is told to retry (409, Retry-After). Past the key's lifetime
 * the worker's unique (tenant, id) constraint takes over.
 */
export class EventProducer {
  readonly #opts: EventProducerOptions
  readonly #claims: IdClaims
  readonly #lookupTimeoutMs: number
  #buffer: Request[] = []
  #buffered = 0
  #timer: NodeJS.Timeout | undefined
  #waiting = 0
  #backlogTimer: NodeJS.Timeout | undefined

  constructor (options: EventProducerOptions) {
    this.#opts = options
    // Long enough to outlive an enqueue that Redis is slow to confirm: the API gives up on it
    // at the enqueue timeout, but it may still land, and then its confirmation replaces the claim.
    const reservationMs = Math.max(30_000, (options.enqueueTimeoutMs ?? 3000) * 10)
    this.#claims = new IdClaims({ redis: options.redis, keyPrefix: options.keyPrefix, ttlSeconds: options.idempotencyTtlSeconds, reservationMs })
    this.#lookupTimeoutMs = options.lookupTimeoutMs ?? 1000
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
      const error = unavailable(err)
      for (const request of requests) request.reject(error)
    }
  }

  async #enqueue (requests: Request[]): Promise<void> {
    const all = requests.flatMap(r => r.items)
    const keys = all.map(item => item.serverId === true ? undefined : this.#claims.key(item))
    const { ours, others } = await this.#claims.claim(keys)
    const stored = await this.#findStored(all, keys, ours)

    // Settled within this flush, so two requests in one window also see each other; `owner`
    // says which request's enqueue an answer rests on.
    const seen = new Map<string, KnownId>()
    const owner = new Map<string, Group>()
    const groups: Group[] = []
    let offset = 0
    for (const request of requests) {
      const results: IngestResult[] = []
      const conflicts: Array<{ index: number, id: string }> = []
      const inProgress: Array<{ index: number, id: string }> = []
      const group: Group = { request, results, items: [], keys: [], dependsOn: new Set(), failed: undefined }
      const mineByKey = new Map<string, KnownId>()
      request.items.forEach((item, index) => {
        const key = keys[offset + index]
        const { id, tenant, receivedAt } = item
        const other = key === undefined ? undefined : others.get(key)
        if (other === ID_PENDING) {
          inProgress.push({ index, id })
          return
        }
        // Earlier items of this same request count too: one batch naming an id twice. An id
        // Redis no longer remembers may still be stored (past the key's lifetime, or after
        // Redis lost data): then the stored record answers, never a second receipt.
        let prior: KnownId | undefined
        if (key !== undefined) {
          prior = mineByKey.get(key)
          if (prior === undefined) {
            prior = seen.get(key)
            if (prior !== undefined) group.dependsOn.add(owner.get(key)!)
          }
          prior ??= stored.get(key) ?? other
        }
        if (prior === undefined) {
          // The digest of exactly what is enqueued: the worker stores this record plus `seq`.
          group.items.push(item)
          if (key !== undefined) {
            mineByKey.set(key, { digest: item.digest, received_at: receivedAt, record_sha256: item.recordSha256 })
            group.keys.push(key)
          }
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
      for (const [key, known] of mineByKey) {
        seen.set(key, known)
        owner.set(key, group)
      }
      groups.push(group)
    }

    await this.#addJobs(groups)
    // A request answered from another's event fails with it: its duplicate would name a record
    // that was never queued.
    for (const group of groups) {
      if (group.failed === undefined) {
        const failedDependency = [...group.dependsOn].find(g => g.failed !== undefined)
        if (failedDependency !== undefined) group.failed = failedDependency.failed
      }
    }
    for (const group of groups) if (group.failed !== undefined) for (const key of group.keys) seen.delete(key)

    if (ours.size > 0) {
      // The reservations become the remembered ids (reservations of refused or failed requests
      // are freed; an id found stored is remembered as stored).
      // Best effort: if this fails the events are still queued, and once the reservation expires
      // a repeat is checked against PostgreSQL, or deduplicated by the worker's unique (tenant, id).
      await this.#claims.remember(ours, key => seen.get(key) ?? stored.get(key)).catch(() => {})
    }
    for (const group of groups) {
      if (group.failed === undefined) group.request.resolve(group.results)
      else group.request.reject(group.failed)
    }
  }

  /**
   * Enqueues the flush's events in one `addBulk`. If that fails, each request's events are
   * tried again on their own, so one bad item (or a tenant's oversized request) fails only its
   * own request, never the others flushed with it. A retry may queue an event twice if the
   * first `addBulk` half-landed; the worker's unique (tenant, id) makes the second a duplicate.
   */
  async #addJobs (groups: Group[]): Promise<void> {
    const withEvents = groups.filter(g => g.items.length > 0)
    if (withEvents.length === 0) return
    try {
      await this.#opts.queue.addBulk(this.#jobs(withEvents.flatMap(g => g.items)))
      await this.#replicated()
      return
    } catch (err) {
      if (withEvents.length === 1) {
        withEvents[0]!.failed = unavailable(err)
      } else {
        await Promise.all(withEvents.map(async group => {
          try {
            await this.#opts.queue.addBulk(this.#jobs(group.items))
            await this.#replicated()
          } catch (err) {
            group.failed = unavailable(err)
          }
        }))
      }
    }
    // Nothing of a failed request was enqueued: free its ids for the client's retry (or they
    // free themselves when the reservation expires). Not on a timeout: the enqueue may still
    // land, and then its confirmation replaces the reservation.
    const freed = withEvents.filter(g => g.failed !== undefined).flatMap(g => g.keys)
    await this.#claims.release(freed).catch(() => {})
  }

  /**
   * WAIT for REDIS_WAIT_REPLICAS replicas to have every write this connection made so far (the
   * jobs just added among them). Sent in a pipeline with a read of one of the queue's keys, so
   * that on a cluster it goes over the connection to the queue's master, which wrote the jobs.
   * Too few within the timeout: the request fails with 503; the client's retry is answered
   * as a duplicate, or enqueued again and deduplicated by the worker's unique (tenant, id).
   */
  async #replicated (): Promise<void> {
    const wanted = this.#opts.waitReplicas ?? 0
    if (wanted === 0) return
    const timeoutMs = Math.max(100, Math.floor((this.#opts.enqueueTimeoutMs ?? 3000) / 3))
    const replies = await this.#opts.redis.pipeline().exists(this.#opts.queue.toKey('id')).call('WAIT', wanted, timeoutMs).exec()
    const [err, acked] = replies?.[1] ?? [new Error('no reply to WAIT')]
    if (err != null) throw err
    if (Number(acked) < wanted) throw new QueueUnavailableError(`the events reached ${Number(acked)} of the ${wanted} Redis replicas REDIS_WAIT_REPLICAS asks for`)
  }

  /** Jobs of at most `batchMax` events and (unless one event alone is larger) `jobMaxBytes`. */
  #jobs (items: IngestItem[]): Array<{ name: typeof APPEND_JOB_NAME, data: AppendJobData }> {
    const { batchMax, jobMaxBytes = DEFAULT_JOB_MAX_BYTES, jobMac } = this.#opts
    const jobs: Array<{ name: typeof APPEND_JOB_NAME, data: AppendJobData }> = []
    let events: CanonicalJobEvent[] = []
    let bytes = 0
    const push = () => {
      jobs.push({ name: APPEND_JOB_NAME, data: jobMac === undefined ? { events } : { events, mac: jobMac.of(events) } })
    }
    for (const item of items) {
      // The record, its digest and the JSON around them.
      const size = item.bytes + EVENT_OVERHEAD_BYTES
      if (events.length > 0 && (events.length >= batchMax || bytes + size > jobMaxBytes)) {
        push()
        events = []
        bytes = 0
      }
      events.push(toJobEvent(item))
      bytes += size
    }
    if (events.length > 0) push()
    return jobs
  }

  /**
   * The ids this flush claimed in Redis (first deliveries as far as Redis knows), looked up in
   * PostgreSQL in one query. Ingest does not depend on PostgreSQL (the queue holds events while
   * it is down): if the lookup fails or is slow, the flush goes on as if none were stored, and
   * the worker's unique (tenant, id) still keeps the log free of duplicates.
   */
  async #findStored (items: IngestItem[], keys: Array<string | undefined>, ours: Set<string>): Promise<Map<string, KnownId>> {
    const found = new Map<string, KnownId>()
    const lookup = this.#opts.storedIds
    if (lookup === undefined || ours.size === 0) return found
    const wanted: Array<{ tenant: string, id: string }> = []
    const asked = new Set<string>()
    items.forEach((item, i) => {
      const key = keys[i]
      if (key !== undefined && ours.has(key) && !asked.has(key)) {
        asked.add(key)
        wanted.push({ tenant: item.tenant, id: item.id })
      }
    })
    try {
      const ms = this.#lookupTimeoutMs
      const rows = await raceDeadline(lookup.find(wanted), ms, () => new Error(`stored id lookup took over ${ms} ms`))
      for (const row of rows) found.set(this.#claims.key(row), { digest: row.digest, received_at: row.received_at, record_sha256: row.record_sha256 })
    } catch (err) {
      this.#opts.onLookupError?.(err)
    }
    return found
  }

  async #withTimeout<T> (promise: Promise<T>): Promise<T> {
    const ms = this.#opts.enqueueTimeoutMs ?? 3000
    return await raceDeadline(promise, ms, () => new QueueUnavailableError(`Redis did not answer within ${ms} ms`))
  }
}
