import fp from 'fastify-plugin'
import { Type } from 'typebox'
import { createApiMetrics, type ApiMetrics } from '../metrics/api-metrics.js'
import { scrapeTokenCheck, startMetricsServer, type MetricsServer } from '../metrics/start-metrics-server.js'
import { oldestWaitingAge } from '../queue/oldest-waiting-age.js'
import { errorResponse } from '../schemas/error.js'
import { exampleMetrics } from '../schemas/examples.js'
import { UnauthenticatedError } from '../errors.js'
import { PgCosignatureStore } from '../store/pg-cosignature-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ApiMetrics
  }
}

export interface MetricsPluginOptions {
  /**
   * The scrape token (METRICS_TOKEN). With it, GET /metrics is also served on the API port,
   * to `Authorization: Bearer <token>` only; without it, the API port has no /metrics.
   */
  token?: string
  /** API_METRICS_PORT: a listener of its own for GET /metrics, on `host` (0: none). */
  port: number
  host: string
  /** METRICS_CACHE_MS: how long a reading of Redis and PostgreSQL serves scrapes. */
  readingMs: number
  /** METRICS_TENANTS: tenants named in per-tenant series (the rest are `_other`). */
  tenantSeries: number
  /** The configured witnesses' ids and policy; none: no witness gauges. */
  witnesses: string[]
  witnessPolicy: number
  witnessGraceSeconds: number
}

const SCRAPE_TOKEN_MESSAGE = 'GET /metrics needs the scrape token (METRICS_TOKEN)'

/** Request metrics for every route, and GET /metrics in the Prometheus text format. */
export default fp<MetricsPluginOptions>(async (app, opts) => {
  const cosignatures = new PgCosignatureStore(app.db)
  const metrics = createApiMetrics({
    // Through the gate: while Redis is away the queue gauges are left out at once, and the
    // scrape never waits on BullMQ (which waits for a connection that is not there).
    queueCounts: async () => {
      const c = await app.queueGate.run(() => app.eventQueue.getJobCounts('waiting', 'active', 'failed', 'delayed'), 'queue not read')
      return { waiting: c.waiting ?? 0, active: c.active ?? 0, failed: c.failed ?? 0, delayed: c.delayed ?? 0 }
    },
    queueLag: async () => await app.queueGate.run(() => oldestWaitingAge(app.eventQueue), 'queue lag not read'),
    tenantLogs: async () => await app.checkpointStore.tenantLogs(),
    ...(opts.witnesses.length > 0 && { witnessing: async () => await cosignatures.witnessing(opts.witnesses, opts.witnessPolicy) })
  }, { readingMs: opts.readingMs, tenantSeries: opts.tenantSeries, witnessGraceSeconds: opts.witnessGraceSeconds })
  app.decorate('metrics', metrics)

  // The series of each route, method and status, found once: prom-client otherwise builds and
  // hashes a label key per call. The route pattern, not the URL: ids must not explode the set.
  const series = new Map<string, { requests: { inc (): void }, duration: { observe (value: number): void } }>()
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched'
    const key = `${request.method} ${reply.statusCode} ${route}`
    let s = series.get(key)
    if (s === undefined) {
      s = {
        requests: metrics.requests.labels({ route, method: request.method, status: reply.statusCode }),
        duration: metrics.duration.labels({ route, method: request.method })
      }
      series.set(key, s)
    }
    s.requests.inc()
    s.duration.observe(reply.elapsedTime / 1000)
    done()
  })

  let server: MetricsServer | undefined
  app.addHook('onReady', async () => {
    try {
      server = await startMetricsServer(metrics.registry, opts.host, opts.port, opts.token)
    } catch (err) {
      throw new Error(`API_METRICS_PORT: the metrics listener cannot listen on ${opts.host}:${opts.port}: ${(err as Error).message}`, { cause: err })
    }
  })
  app.addHook('onClose', async () => { await server?.close() })

  // Tenant names, queue depths and process figures are for the operator's scraper, not for
  // whoever can reach the API: on this port only with the token.
  if (opts.token === undefined) return
  const authorized = scrapeTokenCheck(opts.token)
  app.get('/metrics', {
    config: { public: true },
    schema: {
      operationId: 'getMetrics',
      summary: 'Prometheus metrics (see docs/metrics.md); served here only when METRICS_TOKEN is set',
      tags: ['health'],
      description: 'Needs `Authorization: Bearer <METRICS_TOKEN>` (a scraper\'s secret, not an API key). Without METRICS_TOKEN this route does not exist on the API port; metrics are then served on API_METRICS_PORT only.',
      security: [],
      response: {
        200: { description: 'The metrics in the Prometheus text format', content: { 'text/plain': { schema: Type.String({ examples: [exampleMetrics] }) } } },
        401: {
          ...errorResponse('No scrape token, or another one (`AUDIT_ERR_UNAUTHENTICATED`)', new UnauthenticatedError(SCRAPE_TOKEN_MESSAGE)),
          headers: { 'www-authenticate': { type: 'string' as const, description: '`Bearer`', required: true } }
        }
      }
    }
  }, async (request, reply) => {
    if (!authorized(request.headers.authorization)) {
      reply.header('www-authenticate', 'Bearer')
      throw new UnauthenticatedError(SCRAPE_TOKEN_MESSAGE)
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
}, { name: 'metrics', dependencies: ['database', 'queue'] })
