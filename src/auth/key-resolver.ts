import { timingSafeEqual } from 'node:crypto'
import type { RedisClient } from '../queue/redis-connection.js'
import { hashApiKey, looksLikeApiKey } from './api-key.js'
import type { PgKeyStore } from './pg-key-store.js'
import { RecentSet } from './recent-set.js'
import { isScope, SCOPES, type Principal } from './scopes.js'

export interface KeyResolverOptions {
  store: PgKeyStore
  /** The bootstrap admin key from configuration: every scope, every tenant. */
  adminKey?: string
  /** A subscriber connection; revocations are announced on `channel`. */
  subscriber: RedisClient
  channel: string
  cacheMs: number
  /**
   * How long a hash that matched no active key is answered "unknown" without asking the
   * database: between half of this and all of it (0 = never).
   */
  unknownCacheMs?: number
}

/** Most unknown hashes remembered, per half of `unknownCacheMs` (about 3 MB at most). */
const UNKNOWN_PER_GENERATION = 10_000

/** Published on the revocation channel when a key is created: its hash follows. */
export const CREATED_PREFIX = 'created:'

/**
 * Turns a presented key into a principal. Active keys are cached briefly so that a request
 * does not cost a database round trip; a revocation is published on Redis and every API
 * instance drops the key from its cache at once. If the subscription drops (and a message
 * could have been missed), the whole cache is cleared when it comes back.
 *
 * Hashes that matched no active key are remembered for a while too (bounded), so a client
 * sending the same wrong key costs one query per `unknownCacheMs`, not one per request. A key
 * created meanwhile is announced on the same channel and dropped from that memory at once.
 */
export class KeyResolver {
  readonly #opts: KeyResolverOptions
  readonly #adminHash: Buffer | undefined
  readonly #cache = new Map<string, { principal: Principal, expires: number }>()
  // Keys revoked while a lookup was in flight must not be cached by that lookup afterwards.
  readonly #revoked = new Set<string>()
  readonly #unknown: RecentSet
  // Bumped by every creation: a lookup that began before one never remembers its "unknown".
  #creations = 0

  constructor (options: KeyResolverOptions) {
    this.#opts = options
    this.#adminHash = options.adminKey === undefined ? undefined : hashApiKey(options.adminKey)
    const { subscriber, channel } = options
    const unknownMs = options.unknownCacheMs ?? 0
    this.#unknown = new RecentSet(unknownMs / 2, UNKNOWN_PER_GENERATION)
    subscriber.on('message', (ch: string, message: string) => {
      if (ch !== channel) return
      if (message.startsWith(CREATED_PREFIX)) this.created(Buffer.from(message.slice(CREATED_PREFIX.length), 'hex'))
      else this.forget(Buffer.from(message, 'hex'))
    })
    subscriber.on('ready', () => {
      this.#cache.clear()
      this.#unknown.clear()
    })
    void subscriber.subscribe(channel).catch(() => {})
  }

  /**
   * `beforeQuery` runs when the answer needs the database (nothing cached either way); it may
   * throw to refuse the request without the query.
   */
  async resolve (presented: string, beforeQuery?: () => void): Promise<Principal | undefined> {
    const hash = hashApiKey(presented)
    if (this.#adminHash !== undefined && timingSafeEqual(hash, this.#adminHash)) {
      return { keyId: 'bootstrap-admin', name: 'bootstrap admin key', tenant: null, scopes: new Set(SCOPES) }
    }
    if (!looksLikeApiKey(presented)) return undefined
    const cacheKey = hash.toString('hex')
    const cached = this.#cache.get(cacheKey)
    const now = Date.now()
    if (cached !== undefined && cached.expires > now) return cached.principal
    if (this.#unknown.has(cacheKey, now)) return undefined
    beforeQuery?.()
    const creations = this.#creations
    const info = await this.#opts.store.findActiveByHash(hash)
    if (info === undefined) {
      this.#cache.delete(cacheKey)
      if (creations === this.#creations) this.#unknown.add(cacheKey, Date.now())
      return undefined
    }
    const principal = { keyId: info.id, name: info.name, tenant: info.tenant, scopes: new Set(info.scopes.filter(isScope)) }
    if (this.#revoked.has(cacheKey)) return undefined
    this.#cache.set(cacheKey, { principal, expires: Date.now() + this.#opts.cacheMs })
    return principal
  }

  /** A key was created: its hash is no longer "unknown" here (the creator tells the others). */
  created (hash: Buffer): void {
    this.#creations++
    this.#unknown.delete(hash.toString('hex'))
  }

  /** Drops a key from this instance's cache (the publisher does this for itself). */
  forget (hash: Buffer): void {
    const key = hash.toString('hex')
    this.#cache.delete(key)
    if (this.#revoked.size > 10_000) this.#revoked.clear()
    this.#revoked.add(key)
  }
}
