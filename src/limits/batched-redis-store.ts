import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { FastifyBaseLogger } from 'fastify'
import type { RedisClient } from '../queue/redis-connection.js'
import { WindowCounters, type Hit, type SyncItem } from './window-counters.js'

/** How often pending hits go to Redis. */
export const SYNC_INTERVAL_MS = 100
/** A key's unsynced hits may reach this share of what remains of its limit before a sync. */
export const EARLY_SYNC_FRACTION = 0.1
/**
 * The longest a hit waits for the sync it asked for. Then it is answered from memory and, as
 * when a sync fails, nobody waits for Redis again until a sync succeeds.
 */
const CONFIRM_TIMEOUT_MS = 500
/** A script call runs atomically and holds Redis meanwhile: bigger batches take several. */
const KEYS_PER_CALL = 500
/** Ended windows are dropped every this many sync intervals. */
const EVICT_EVERY = 10
/** close() gives its final sync this long; Redis may be gone. */
const CLOSE_FLUSH_TIMEOUT_MS = 1000

// For each key: add this instance's hits, start the window if the key is new (INCRBY creates
// it without a TTL), and answer the count (every instance's hits) and the time left.
const SYNC_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCRBY', key, ARGV[2 * i - 1])
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    ttl = tonumber(ARGV[2 * i])
    redis.call('PEXPIRE', key, ttl)
  end
  out[2 * i - 1] = count
  out[2 * i] = ttl
end
return out
`

type SyncCommand = (numKeys: number, ...keysAndArgs: Array<string | number>) => unknown
export type Callback = (error: Error | null, result?: { current: number, ttl: number }) => void

interface Confirmation {
  hit: Hit
  callback: Callback
}

/** Hits waiting for one sync, and the timer that answers them if Redis is slow. */
interface ConfirmationGroup {
  confirmations: Confirmation[]
  timer: NodeJS.Timeout
}

export interface BatchedRedisStoreOptions {
  redis: RedisClient
  nameSpace: string
  /** Told once when syncing starts failing and once when it recovers. */
  log?: Pick<FastifyBaseLogger, 'warn' | 'info'>
}

/**
 * A store for @fastify/rate-limit that counts in memory and sends the counts to Redis in
 * batches, so that a request costs no Redis command: every SYNC_INTERVAL_MS one script call
 * adds each key's pending hits to its shared counter (a fixed window, as with the plugin's
 * RedisStore) and reads back the total, other instances' hits included.
 *
 * Between syncs an instance sees its own hits at once and the others' late, so N instances
 * can together admit about N × min(EARLY_SYNC_FRACTION of the limit, one instance's hits per
 * SYNC_INTERVAL_MS) beyond it. The hit that brings a key's unsynced hits to
 * EARLY_SYNC_FRACTION of what remains (as this instance knows it) syncs at once and is
 * answered with the shared count; once fewer than 1 / EARLY_SYNC_FRACTION remain that is
 * every hit, so small limits are as exact as with the RedisStore. Keys already over the
 * limit on counted hits are refused from memory.
 *
 * When Redis fails, requests are answered from memory (each instance still enforces its own
 * count) and the sync is retried every interval.
 */
export class BatchedRedisStore {
  readonly #redis: RedisClient
  readonly #nameSpace: string
  readonly #log: BatchedRedisStoreOptions['log']
  readonly #counters = new WindowCounters(EARLY_SYNC_FRACTION)
  readonly #timer: NodeJS.Timeout
  #ticks = 0
  #running: Promise<void> | undefined
  #again = false
  #waiting: ConfirmationGroup | undefined
  #healthy = true
  #closed = false

  constructor (options: BatchedRedisStoreOptions) {
    this.#redis = options.redis
    this.#nameSpace = options.nameSpace
    this.#log = options.log
    if (typeof (this.#redis as unknown as Record<string, unknown>).rateLimitSyncBatch !== 'function') {
      this.#redis.defineCommand('rateLimitSyncBatch', { lua: SYNC_SCRIPT })
    }
    this.#timer = setInterval(() => this.#tick(), SYNC_INTERVAL_MS).unref()
  }

  /** Keys held in memory: those whose window has not ended. */
  get size (): number { return this.#counters.size }

  /** @fastify/rate-limit constructs its store from a class; this one hands it this store. */
  storeClass (): FastifyRateLimitStoreCtor {
    const view = this.#view(this.#nameSpace)
    return class { constructor () { return view } } as unknown as FastifyRateLimitStoreCtor
  }

  /**
   * Counts `weight` hits of `key` (under this store's name space) and answers the count, as
   * the @fastify/rate-limit view does: from memory unless a sync is due.
   */
  hit (key: string, windowMs: number, max: number, weight: number, callback: Callback): void {
    this.#incr(this.#nameSpace + key, callback, windowMs, max, weight)
  }

  /** The count of `key` as this instance knows it, without counting a hit: no Redis command. */
  peek (key: string): { current: number, ttl: number } {
    return this.#counters.peek(this.#nameSpace + key, Date.now())
  }

  /** Sends every pending hit to Redis and waits for the answer (tests, shutdown). */
  async flush (): Promise<void> {
    while (this.#running !== undefined) await this.#running
    await this.#sync()
  }

  /** Stops the timer and sends what is pending, at best: Redis may be away. */
  async close (): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    clearInterval(this.#timer)
    let timeout: NodeJS.Timeout | undefined
    await Promise.race([
      this.flush().catch(() => {}),
      new Promise<void>(resolve => { timeout = setTimeout(resolve, CLOSE_FLUSH_TIMEOUT_MS) })
    ])
    clearTimeout(timeout)
  }

  #view (prefix: string): FastifyRateLimitStore & { read: FastifyRateLimitStore['incr'] } {
    return {
      incr: (key, callback, timeWindow, max) => { this.#incr(prefix + key, callback, timeWindow, max) },
      read: (key, callback) => { callback(null, this.#counters.peek(prefix + key, Date.now())) },
      // The plugin passes its merged route options; key them as RedisStore.child does.
      child: routeOptions => {
        const { method, url } = (routeOptions as unknown as { routeInfo: { method: string, url: string } }).routeInfo
        return this.#view(`${prefix}${method}${url}-`)
      }
    }
  }

  #incr (key: string, callback: Callback, timeWindow: number, max: number, weight = 1): void {
    const hit = this.#counters.hit(key, timeWindow, max, Date.now(), weight)
    // While Redis is failing nobody waits for it; the interval keeps retrying.
    if (!hit.syncNow || !this.#healthy || this.#closed) {
      callback(null, { current: hit.current, ttl: hit.ttl })
      return
    }
    this.#waiting ??= this.#confirmationGroup()
    this.#waiting.confirmations.push({ hit, callback })
    void this.#sync()
  }

  #tick (): void {
    if (++this.#ticks % EVICT_EVERY === 0) this.#counters.evict(Date.now())
    if (this.#running === undefined) void this.#sync()
  }

  /** One sync at a time; a sync asked for meanwhile runs right after. */
  #sync (): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true
      return this.#running
    }
    this.#running = this.#syncOnce().finally(() => {
      this.#running = undefined
      if (this.#again) {
        this.#again = false
        void this.#sync()
      }
    })
    return this.#running
  }

  async #syncOnce (): Promise<void> {
    const items = this.#counters.takeBatch(Date.now())
    const group = this.#waiting
    this.#waiting = undefined
    try {
      if (items.length === 0) return
      try {
        const replies = await this.#send(items)
        const now = Date.now()
        this.#counters.settle(items, replies, now)
        if (!this.#healthy) this.#log?.info('rate limits: syncing with Redis again')
        this.#healthy = true
        if (group !== undefined) answerFromReply(group, items, replies, now)
      } catch (err) {
        this.#counters.restore(items)
        this.#failing(err)
      }
    } finally {
      if (group !== undefined) {
        clearTimeout(group.timer)
        answerFromMemory(group)
      }
    }
  }

  #failing (err: unknown): void {
    if (this.#healthy) this.#log?.warn({ err }, 'rate limits: cannot sync with Redis; counting on this instance alone until it answers')
    this.#healthy = false
  }

  #confirmationGroup (): ConfirmationGroup {
    const confirmations: Confirmation[] = []
    const timer = setTimeout(() => {
      if (confirmations.length === 0) return
      answerFromMemory({ confirmations, timer })
      this.#failing(new Error(`no answer from Redis within ${CONFIRM_TIMEOUT_MS} ms`))
    }, CONFIRM_TIMEOUT_MS).unref()
    return { confirmations, timer }
  }

  async #send (items: SyncItem[]): Promise<Array<{ count: number, ttl: number }>> {
    const pipeline = this.#redis.pipeline()
    const call = (pipeline as unknown as { rateLimitSyncBatch: SyncCommand }).rateLimitSyncBatch.bind(pipeline)
    for (let start = 0; start < items.length; start += KEYS_PER_CALL) {
      const chunk = items.slice(start, start + KEYS_PER_CALL)
      call(chunk.length, ...chunk.map(item => item.entry.key), ...chunk.flatMap(item => [item.hits, item.entry.windowMs]))
    }
    const results = await pipeline.exec()
    if (results === null) throw new Error('rate-limit sync pipeline was discarded')
    const replies: Array<{ count: number, ttl: number }> = []
    for (const [error, reply] of results) {
      if (error !== null) throw error
      const flat = reply as number[]
      for (let i = 0; i < flat.length; i += 2) replies.push({ count: flat[i]!, ttl: flat[i + 1]! })
    }
    return replies
  }
}

/**
 * Each waiting hit gets its place in the shared count: our batch ends at the reply's count.
 * Never less than this instance counted for it (a retried batch puts older hits first).
 */
function answerFromReply (group: ConfirmationGroup, items: SyncItem[], replies: Array<{ count: number }>, now: number): void {
  const batchStart = new Map<SyncItem['entry'], number>()
  items.forEach((item, i) => batchStart.set(item.entry, replies[i]!.count - item.hits))
  for (const { hit, callback } of group.confirmations.splice(0)) {
    const start = batchStart.get(hit.entry)
    const current = start === undefined ? hit.current : Math.max(hit.current, start + hit.position)
    callback(null, { current, ttl: Math.max(0, hit.entry.expiresAt - now) })
  }
}

/**
 * Hits still waiting (Redis slow or failing) get the count this instance knew for them.
 * Answered ones leave the array, so the timer and the reply never answer one twice.
 */
function answerFromMemory (group: ConfirmationGroup): void {
  for (const { hit, callback } of group.confirmations.splice(0)) callback(null, { current: hit.current, ttl: hit.ttl })
}
