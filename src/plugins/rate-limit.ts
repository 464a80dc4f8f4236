import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { RateLimitedError } from '../errors.js'
import { BatchedRedisStore, type Callback } from '../limits/batched-redis-store.js'
import { createRedisConnection } from '../queue/redis-connection.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by this plugin on the reads that scan a whole log and append an own-access event. */
    expensiveRead?: boolean
  }
  interface FastifyRequest {
    /** This request has been counted against a limit already. */
    rateLimitCounted: boolean
  }
  interface FastifyInstance {
    /**
     * Throws a 429 if the client's address has used up its failed-request limit. The auth
     * plugin calls it before a key lookup would reach the database.
     */
    checkClientLimit (request: FastifyRequest): void
  }
}

export interface RateLimitOptions {
  redisUrl: string
  /** Requests per key per window; failed ones count too. */
  max: number
  windowMs: number
  nameSpace: string
  /** Failed or unauthenticated requests per client address per window (unset: no limit). */
  ipMax?: number
  /** How many requests an export or a verification counts as against the key's limit. */
  expensiveWeight?: number
  /** Exports and verifications per key per minute, each appending an own-access event. */
  ownAccessMax?: number
  /**
   * The id of the request's API key, once authentication has found it (undefined: none).
   * Authentication is registered after this plugin (it calls checkClientLimit), so the key
   * is read through this function, given by whoever wires both; without it every request
   * counts against its address.
   */
  keyIdOf?: (request: FastifyRequest) => string | undefined
}

/** Reads that scan a tenant's whole log and append `audit.export` / `audit.verify`. */
const EXPENSIVE_READS = new Set(['/verify', '/audit-events/export'])
const OWN_ACCESS_WINDOW_MS = 60_000
const ignore: Callback = () => {}

/**
 * Limits, shared by every API instance through Redis, all checked before the request's body is
 * read or validated:
 * - per key (`preParsing`, after authentication): every request, failed ones included, and an
 *   export or verification counts as `expensiveWeight` requests; 403s, refused before this
 *   hook, are counted when answered;
 * - per key, exports and verifications per minute (`ownAccessMax`): each appends an event to
 *   the tenant's chain, so they are bounded apart from the request rate;
 * - per client address (`request.ip`, which honours TRUST_PROXY), failed requests that named
 *   no valid key (401s, and the like): counted when answered, and once over `ipMax` a request
 *   whose key is not already cached as valid is refused before any database query.
 * Public routes are exempt. Hits are counted in memory and the counts synced in batches
 * (BatchedRedisStore), so a successful request costs no Redis command.
 */
export default fp<RateLimitOptions>(async (app: FastifyInstance, opts) => {
  const redis = createRedisConnection(opts.redisUrl, 'producer')
  const store = new BatchedRedisStore({ redis, nameSpace: opts.nameSpace, log: app.log })
  const { max, windowMs, ipMax } = opts
  const weight = opts.expensiveWeight ?? 1
  const ownAccessMax = opts.ownAccessMax
  const keyIdOf = opts.keyIdOf ?? (() => undefined)

  const exempt = (request: FastifyRequest) => request.routeOptions.config.public === true || request.url.startsWith('/docs')

  app.decorateRequest('rateLimitCounted', false)
  app.decorate('checkClientLimit', (request: FastifyRequest) => {
    if (ipMax === undefined) return
    const { current, ttl } = store.peek(`ip:${request.ip}`)
    if (current >= ipMax) {
      throw new RateLimitedError(`too many failed or unauthenticated requests from this address (${ipMax} per ${windowMs} ms)`, Math.ceil(ttl / 1000))
    }
  })

  app.addHook('onRoute', route => {
    if (EXPENSIVE_READS.has(route.url)) route.config = { ...route.config, expensiveRead: true }
  })

  app.addHook('preParsing', (request, reply, payload, done) => {
    if (exempt(request)) { done(null, payload); return }
    request.rateLimitCounted = true
    const keyId = keyIdOf(request)
    const expensive = request.routeOptions.config.expensiveRead === true
    store.hit(keyId ?? request.ip, windowMs, max, expensive ? weight : 1, (_err, result) => {
      // The store answers from memory when Redis fails; no answer at all lets the request by.
      if (result === undefined) { done(null, payload); return }
      const reset = Math.ceil(result.ttl / 1000)
      reply.header('x-ratelimit-limit', max).header('x-ratelimit-remaining', Math.max(0, max - result.current)).header('x-ratelimit-reset', reset)
      if (result.current > max) {
        done(new RateLimitedError(`rate limit exceeded: ${max} requests per ${windowMs} ms${expensive ? ` (this route counts as ${weight})` : ''}`, reset))
        return
      }
      if (!expensive || ownAccessMax === undefined || keyId === undefined) { done(null, payload); return }
      store.hit(`own:${keyId}`, OWN_ACCESS_WINDOW_MS, ownAccessMax, 1, (_ownErr, own) => {
        if (own !== undefined && own.current > ownAccessMax) {
          done(new RateLimitedError(`at most ${ownAccessMax} exports and verifications per key per minute (each is recorded in the log)`, Math.ceil(own.ttl / 1000)))
          return
        }
        done(null, payload)
      })
    })
  })

  // Requests refused before preParsing (401, 403) still cost work (a 401 may cost a query):
  // they count against the key, or against the address when no key was valid.
  app.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode
    if (status < 400 || status >= 500 || status === 429 || request.rateLimitCounted || exempt(request)) { done(); return }
    const keyId = keyIdOf(request)
    if (keyId !== undefined) store.hit(keyId, windowMs, max, 1, ignore)
    else if (ipMax !== undefined) store.hit(`ip:${request.ip}`, windowMs, ipMax, 1, ignore)
    done()
  })

  app.addHook('onClose', async () => {
    await store.close()
    redis.disconnect()
  })
}, { name: 'rate-limit' })
