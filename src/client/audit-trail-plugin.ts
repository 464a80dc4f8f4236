import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { AuditClient, AuditEvent } from './create-audit-client.js'

export interface AuditTrailOptions {
  client: AuditClient
  /** Who made the request; requests without an actor are recorded as `anonymous`. */
  actor: (request: FastifyRequest) => AuditEvent['actor'] | undefined
  source: NonNullable<AuditEvent['source']>
  /** Methods that change something; default POST, PUT, PATCH, DELETE. */
  methods?: string[]
  /** Action name for a request; default `http.<method>` (the route goes into `target`). */
  action?: (request: FastifyRequest) => string
  onError?: (err: Error, request: FastifyRequest) => void
}

/**
 * For producer services: records every mutating request (method, route, status, actor) in
 * audit-service through the client, after the response is sent, so auditing never slows
 * or fails the request itself. The seed's `withAudit` wrapper, as a plugin.
 *
 * @example
 * await app.register(auditTrail, { client, source: { service: 'billing' }, actor: req => req.user && { type: 'user', id: req.user.id } })
 */
const auditTrail: FastifyPluginAsync<AuditTrailOptions> = async (app, opts) => {
  const methods = new Set((opts.methods ?? ['POST', 'PUT', 'PATCH', 'DELETE']).map(m => m.toUpperCase()))
  app.addHook('onResponse', async (request, reply) => {
    if (!methods.has(request.method)) return
    const route = request.routeOptions.url ?? request.url.split('?')[0]!
    const event: AuditEvent = {
      occurred_at: new Date().toISOString(),
      action: opts.action?.(request) ?? `http.${request.method.toLowerCase()}`,
      actor: opts.actor(request) ?? { type: 'anonymous', id: 'anonymous' },
      target: { type: 'route', id: route.slice(0, 256) },
      outcome: reply.statusCode < 400 ? 'success' : 'failure',
      source: opts.source,
      request_id: String(request.id).slice(0, 256),
      metadata: { method: request.method, route, status: reply.statusCode, params: request.params ?? {} }
    }
    opts.client.send(event).catch((err: Error) => {
      if (opts.onError !== undefined) opts.onError(err, request)
      else request.log.error({ err }, 'audit event not recorded')
    })
  })
  app.addHook('onClose', async () => { await opts.client.flush() })
}

export default fp(auditTrail, { name: 'audit-trail', fastify: '5.x' })
