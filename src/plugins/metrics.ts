import { timingSafeEqual, createHash } from 'node:crypto'
import fp from 'fastify-plugin'
import { Type } from 'typebox'
import { sql } from 'kysely'
import { createApiMetrics, type ApiMetrics } from '../metrics/api-metrics.js'
import { ErrorResponse } from '../schemas/error.js'
import { exampleMetrics } from '../schemas/examples.js'
import { ForbiddenError } from './auth.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ApiMetrics
  }
}

export interface MetricsPluginOptions {
  /** When set, GET /metrics needs `Authorization: Bearer <token>` (a scraper's secret). */
  token?: string
}

const digest = (value: string) => createHash('sha256').update(value).digest()

/** Request metrics for every route, and GET /metrics in the Prometheus text format. */
export default fp<MetricsPluginOptions>(async (app, opts) => {
  const metrics = createApiMetrics({
    queueCounts: async () => {
      const c = await app.eventQueue.getJobCounts('waiting', 'active', 'failed', 'delayed')
      return { waiting: c.waiting ?? 0, active: c.active ?? 0, failed: c.failed ?? 0, delayed: c.delayed ?? 0 }
    },
    checkpointAges: async () => {
      const rows = await sql<{ tenant: string, age: number }>`
        SELECT tenant, extract(epoch FROM now() - max(created_at))::float8 AS age FROM checkpoints GROUP BY tenant`.execute(app.db)
      return rows.rows.map(r => ({ tenant: r.tenant, ageSeconds: r.age }))
    }
  })
  app.decorate('metrics', metrics)

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, not the URL: ids must not explode the label set.
    const route = request.routeOptions.url ?? 'unmatched'
    metrics.requests.inc({ route, method: request.method, status: reply.statusCode })
    metrics.duration.observe({ route, method: request.method }, reply.elapsedTime / 1000)
  })

  const expected = opts.token === undefined ? undefined : digest(`Bearer ${opts.token}`)
  app.get('/metrics', {
    config: { public: true },
    schema: {
      operationId: 'getMetrics',
      summary: 'Prometheus metrics (see docs/metrics.md)',
      tags: ['health'],
      security: [],
      response: {
        200: { description: 'Prometheus text format', content: { 'text/plain': { schema: Type.String({ examples: [exampleMetrics] }) } } },
        403: ErrorResponse
      }
    }
  }, async (request, reply) => {
    if (expected !== undefined && !timingSafeEqual(digest(request.headers.authorization ?? ''), expected)) {
      throw new ForbiddenError('GET /metrics needs the scrape token (METRICS_TOKEN)')
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
}, { name: 'metrics', dependencies: ['database', 'queue'] })
