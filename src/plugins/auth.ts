import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { CREATED_PREFIX, KeyResolver } from '../auth/key-resolver.js'
import { PgKeyStore } from '../auth/pg-key-store.js'
import { hasScope, type Principal, type Scope } from '../auth/scopes.js'
import { ForbiddenError, UnauthenticatedError } from '../errors.js'
import { INVALID_KEY_MESSAGE, MISSING_KEY_MESSAGE } from '../http/standard-responses.js'
import { createRedisConnection } from '../queue/redis-connection.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** No key needed (health, docs, well-known). */
    public?: boolean
    /**
     * No key needed for this request when it says so (a public tenant's log, PUBLIC_TENANTS);
     * otherwise the route is keyed like any other. Runs after routing: `request.params` is set.
     */
    publicIf?: (request: FastifyRequest) => boolean
    /** The scope a key needs for this route. */
    scope?: Scope
  }
  interface FastifyRequest {
    principal: Principal | null
  }
  interface FastifyInstance {
    keyStore: PgKeyStore
    keyResolver: KeyResolver
    /** Revokes a key on every API instance at once. */
    announceRevocation (hash: Buffer): Promise<void>
  }
}

export interface AuthPluginOptions {
  redisUrl: string
  channel: string
  adminKey?: string
  cacheMs: number
  /** How long a key that matched nothing is answered 401 without a query (0 = never). */
  unknownCacheMs?: number
}

const BEARER = /^Bearer ([\x21-\x7e]{1,256})$/

/**
 * Every route needs `Authorization: Bearer <key>` unless it is marked public (or is the docs
 * page). The key decides the principal; the route's `scope` is then checked. The tenant a
 * request may touch is settled by `tenantFor` in each route.
 */
export default fp<AuthPluginOptions>(async (app, opts) => {
  const keyStore = new PgKeyStore(app.db, {
    // Another instance may remember this hash as unknown (someone tried it before it existed).
    // The key is stored and must be answered: a lost announcement only lasts unknownCacheMs.
    onCreated: async hash => {
      keyResolver.created(hash)
      await app.queueGate.run(() => app.redis.publish(opts.channel, CREATED_PREFIX + hash.toString('hex')), 'new key not announced')
        .catch((err: unknown) => { app.log.warn({ err }, 'could not announce a new API key to the other instances') })
    }
  })
  const subscriber = createRedisConnection(opts.redisUrl, 'subscriber')
  const keyResolver = new KeyResolver({
    store: keyStore,
    subscriber,
    channel: opts.channel,
    cacheMs: opts.cacheMs,
    unknownCacheMs: opts.unknownCacheMs ?? 0,
    ...(opts.adminKey !== undefined && { adminKey: opts.adminKey })
  })
  // Registered before this plugin (app.ts): refuses a client address that has failed too often,
  // before its key costs a database query.
  const checkClient = app.hasDecorator('checkClientLimit') ? app.checkClientLimit : undefined
  app.decorate('keyStore', keyStore)
  app.decorate('keyResolver', keyResolver)
  // The revocation is committed and recorded before it is announced: a lost announcement is
  // logged, not answered 503 (which would say it was not done). Other instances then stop
  // accepting the key when their cache of it expires (API_KEY_CACHE_MS).
  app.decorate('announceRevocation', async (hash: Buffer) => {
    keyResolver.forget(hash)
    await app.queueGate.run(() => app.redis.publish(opts.channel, hash.toString('hex')), 'revocation not announced')
      .catch((err: unknown) => { app.log.warn({ err }, 'could not announce a revoked API key to the other instances; they stop accepting it when their cache expires') })
  })
  app.decorateRequest('principal', null)

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const config = request.routeOptions.config
    if (config.public === true || request.url.startsWith('/docs') || config.publicIf?.(request) === true) return
    const header = request.headers.authorization
    const gate = checkClient === undefined ? undefined : () => checkClient(request)
    if (header === undefined) {
      gate?.()
      reply.header('www-authenticate', 'Bearer')
      throw new UnauthenticatedError(MISSING_KEY_MESSAGE)
    }
    const match = BEARER.exec(header)
    if (match === null) gate?.()
    // A key cached as valid passes even from a limited address: only lookups are refused.
    const principal = match === null ? undefined : await keyResolver.resolve(match[1]!, gate)
    if (principal === undefined) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"')
      throw new UnauthenticatedError(INVALID_KEY_MESSAGE)
    }
    request.principal = principal
    if (config.scope !== undefined && !hasScope(principal, config.scope)) {
      throw new ForbiddenError(`this key lacks the ${config.scope} scope`)
    }
  })

  app.addHook('onClose', async () => { subscriber.disconnect() })
}, { name: 'auth', dependencies: ['database', 'queue'] })
