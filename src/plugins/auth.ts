import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { KeyResolver } from '../auth/key-resolver.js'
import { PgKeyStore } from '../auth/pg-key-store.js'
import { hasScope, type Principal, type Scope } from '../auth/scopes.js'
import { AuditServiceError } from '../errors.js'
import { createRedisConnection } from '../queue/redis-connection.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** No key needed (health, docs, well-known). */
    public?: boolean
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
}

export class UnauthenticatedError extends AuditServiceError {
  constructor (message: string) {
    super('AUDIT_ERR_UNAUTHENTICATED', 401, message)
  }
}

export class ForbiddenError extends AuditServiceError {
  constructor (message: string) {
    super('AUDIT_ERR_FORBIDDEN', 403, message)
  }
}

const BEARER = /^Bearer ([\x21-\x7e]{1,256})$/

/**
 * Every route needs `Authorization: Bearer <key>` unless it is marked public (or is the docs
 * page). The key decides the principal; the route's `scope` is then checked. The tenant a
 * request may touch is settled by `tenantFor` in each route.
 */
export default fp<AuthPluginOptions>(async (app, opts) => {
  const keyStore = new PgKeyStore(app.db)
  const subscriber = createRedisConnection(opts.redisUrl, 'worker')
  const keyResolver = new KeyResolver({
    store: keyStore,
    subscriber,
    channel: opts.channel,
    cacheMs: opts.cacheMs,
    ...(opts.adminKey !== undefined && { adminKey: opts.adminKey })
  })
  app.decorate('keyStore', keyStore)
  app.decorate('keyResolver', keyResolver)
  app.decorate('announceRevocation', async (hash: Buffer) => {
    keyResolver.forget(hash)
    await app.redis.publish(opts.channel, hash.toString('hex'))
  })
  app.decorateRequest('principal', null)

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const config = request.routeOptions.config
    if (config.public === true || request.url.startsWith('/docs')) return
    const header = request.headers.authorization
    if (header === undefined) {
      reply.header('www-authenticate', 'Bearer')
      throw new UnauthenticatedError('missing Authorization: Bearer <api key>')
    }
    const match = BEARER.exec(header)
    const principal = match === null ? undefined : await keyResolver.resolve(match[1]!)
    if (principal === undefined) {
      reply.header('www-authenticate', 'Bearer error="invalid_token"')
      throw new UnauthenticatedError('the API key is not valid (unknown, malformed or revoked)')
    }
    request.principal = principal
    if (config.scope !== undefined && !hasScope(principal, config.scope)) {
      throw new ForbiddenError(`this key lacks the ${config.scope} scope`)
    }
  })

  app.addHook('onClose', async () => { subscriber.disconnect() })
}, { name: 'auth', dependencies: ['database', 'queue'] })
