import { timingSafeEqual } from 'node:crypto'
import type { Redis } from 'ioredis'
import { hashApiKey, looksLikeApiKey } from './api-key.js'
import type { PgKeyStore } from './pg-key-store.js'
import { isScope, SCOPES, type Principal } from './scopes.js'

export interface KeyResolverOptions {
  store: PgKeyStore
  /** The bootstrap admin key from configuration: every scope, every tenant. */
  adminKey?: string
  /** A subscriber connection; revocations are announced on `channel`. */
  subscriber: Redis
  channel: string
  cacheMs: number
}

/**
 * Turns a presented key into a principal. Active keys are cached briefly so that a request
 * does not cost a database round trip; a revocation is published on Redis and every API
 * instance drops the key from its cache at once. If the subscription drops (and a message
 * could have been missed), the whole cache is cleared when it comes back.
 */
export class KeyResolver {
  readonly #opts: KeyResolverOptions
  readonly #adminHash: Buffer | undefined
  readonly #cache = new Map<string, { principal: Principal, expires: number }>()
  // Keys revoked while a lookup was in flight must not be cached by that lookup afterwards.
  readonly #revoked = new Set<string>()

  constructor (options: KeyResolverOptions) {
    this.#opts = options
    this.#adminHash = options.adminKey === undefined ? undefined : hashApiKey(options.adminKey)
    const { subscriber, channel } = options
    subscriber.on('message', (ch: string, hashHex: string) => { if (ch === channel) this.forget(Buffer.from(hashHex, 'hex')) })
    subscriber.on('ready', () => this.#cache.clear())
    void subscriber.subscribe(channel).catch(() => {})
  }

  async resolve (presented: string): Promise<Principal | undefined> {
    const hash = hashApiKey(presented)
    if (this.#adminHash !== undefined && timingSafeEqual(hash, this.#adminHash)) {
      return { keyId: 'bootstrap-admin', name: 'bootstrap admin key', tenant: null, scopes: new Set(SCOPES) }
    }
    if (!looksLikeApiKey(presented)) return undefined
    const cacheKey = hash.toString('hex')
    const cached = this.#cache.get(cacheKey)
    if (cached !== undefined && cached.expires > Date.now()) return cached.principal
    const info = await this.#opts.store.findActiveByHash(hash)
    if (info === undefined) {
      this.#cache.delete(cacheKey)
      return undefined
    }
    const principal = { keyId: info.id, name: info.name, tenant: info.tenant, scopes: new Set(info.scopes.filter(isScope)) }
    if (this.#revoked.has(cacheKey)) return undefined
    this.#cache.set(cacheKey, { principal, expires: Date.now() + this.#opts.cacheMs })
    return principal
  }

  /** Drops a key from this instance's cache (the publisher does this for itself). */
  forget (hash: Buffer): void {
    const key = hash.toString('hex')
    this.#cache.delete(key)
    if (this.#revoked.size > 10_000) this.#revoked.clear()
    this.#revoked.add(key)
  }
}
