import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { sql } from 'kysely'
import { timedCheck } from '../../http/timed-check.js'
import { HealthResponse, LiveResponse } from '../../schemas/health.js'

export interface HealthRoutesOptions {
  timeoutMs: number
  maxWaiting: number
}

/**
 * Readiness for load balancers: 200 while this instance can accept events. Redis is the one
 * dependency ingest needs (events wait there), so Redis down or a full backlog is 503;
 * PostgreSQL down is 200 "degraded": events are still accepted and stored once it is back.
 */
const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, opts) => {
  app.get('/health', {
    config: { public: true },
    schema: {
      security: [],
      summary: 'Readiness: can this instance accept events?',
      tags: ['health'],
      response: { 200: HealthResponse, 503: HealthResponse }
    }
  }, async (_request, reply) => {
    const [postgres, redis] = await Promise.all([
      timedCheck(() => sql`SELECT 1`.execute(app.db), opts.timeoutMs),
      timedCheck(() => app.redis.ping(), opts.timeoutMs)
    ])
    let queue = null
    if (redis.status === 'up') {
      const counts = await timedCheck(async () => {
        const c = await app.eventQueue.getJobCounts('waiting', 'active', 'failed')
        queue = { waiting: c.waiting ?? 0, active: c.active ?? 0, failed: c.failed ?? 0 }
      }, opts.timeoutMs)
      if (counts.status === 'down') queue = null
    }
    const reasons: string[] = []
    if (redis.status === 'down') reasons.push('redis unreachable: events cannot be queued')
    if (queue !== null && (queue as { waiting: number }).waiting >= opts.maxWaiting) {
      reasons.push(`queue backlog over ${opts.maxWaiting} jobs: ingest is refused until workers catch up`)
    }
    if (postgres.status === 'down') reasons.push('postgres unreachable: events are queued but not stored until it is back')
    const unavailable = redis.status === 'down' || reasons.some(r => r.startsWith('queue backlog'))
    const status = unavailable ? 'unavailable' : postgres.status === 'down' ? 'degraded' : 'ok'
    return reply.code(unavailable ? 503 : 200).send({ status, reasons, checks: { postgres, redis }, queue })
  })

  app.get('/health/live', {
    config: { public: true },
    schema: {
      security: [],
      summary: 'Liveness: the process is up (no I/O)',
      tags: ['health'],
      response: { 200: LiveResponse }
    }
  }, async () => ({ status: 'ok' as const }))
}

export default healthRoutes
