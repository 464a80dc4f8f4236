import type { RedisClient } from '../queue/redis-connection.js'

/** What Redis remembers of an accepted id: enough to answer a repeat of it. */
export interface KnownId {
  digest: string
  received_at: string
  record_sha256?: string
}

/** An id claimed by a request whose enqueue is still in flight. */
export const ID_PENDING = 'pending'

export interface IdClaimsOptions {
  redis: RedisClient
  keyPrefix: string
  /** How long an accepted id is remembered (IDEMPOTENCY_TTL_SECONDS). */
  ttlSeconds: number
  /** How long a claim holds while its enqueue is in flight. */
  reservationMs: number
}

/**
 * The idempotency keys of producer-sent ids, in Redis. One key per id:
 * `<prefix>:idem:<tenant>:<id>`, holding `pending` while the first request with that id is
 * being enqueued, then `<content digest> <received_at> <record_sha256>` for `ttlSeconds` (keys
 * written before receipts lack the third field). Past that lifetime, PostgreSQL answers
 * (StoredIdLookup) and the worker's unique (tenant, id) constraint has the last word.
 */
export class IdClaims {
  readonly #opts: IdClaimsOptions

  constructor (options: IdClaimsOptions) {
    this.#opts = options
  }

  key (event: { tenant: string, id: string }): string {
    return `${this.#opts.keyPrefix}:idem:${event.tenant}:${event.id}`
  }

  /**
   * Claims every key in one round trip (`SET NX GET`, atomic per key): a key claimed here is
   * the caller's to enqueue, any other was accepted earlier (what is remembered of it) or is
   * being accepted by another request right now (ID_PENDING). Claiming before enqueueing is
   * what keeps two first deliveries of one id, through one API instance or several, from both
   * being enqueued and answered as new.
   */
  async claim (keys: Array<string | undefined>): Promise<{ ours: Set<string>, others: Map<string, KnownId | typeof ID_PENDING> }> {
    const ours = new Set<string>()
    const others = new Map<string, KnownId | typeof ID_PENDING>()
    const distinct = [...new Set(keys.filter((k): k is string => k !== undefined))]
    if (distinct.length === 0) return { ours, others }
    const pipeline = this.#opts.redis.pipeline()
    for (const key of distinct) pipeline.set(key, ID_PENDING, 'PX', this.#opts.reservationMs, 'NX', 'GET')
    const replies = await pipeline.exec()
    distinct.forEach((key, i) => {
      const [err, value] = replies?.[i] ?? [new Error('no reply')]
      if (err != null) throw err
      if (value === null) ours.add(key)
      else others.set(key, value === ID_PENDING ? ID_PENDING : parseKnown(value as string))
    })
    return { ours, others }
  }

  /** Turns claims into remembered ids, in one round trip; a claim with nothing to remember is freed. */
  async remember (claimed: Iterable<string>, knownOf: (key: string) => KnownId | undefined): Promise<void> {
    const pipeline = this.#opts.redis.pipeline()
    for (const key of claimed) {
      const known = knownOf(key)
      if (known === undefined) pipeline.del(key)
      else pipeline.set(key, `${known.digest} ${known.received_at} ${known.record_sha256}`, 'EX', this.#opts.ttlSeconds)
    }
    await pipeline.exec()
  }

  /** Frees claims whose events were not enqueued, for the client's retry. */
  async release (keys: string[]): Promise<void> {
    if (keys.length > 0) await this.#opts.redis.del(...keys)
  }
}

function parseKnown (value: string): KnownId {
  const [digest = '', receivedAt = '', sha] = value.split(' ')
  return { digest, received_at: receivedAt, ...(sha !== undefined && sha !== '' && { record_sha256: sha }) }
}
