import type { Static } from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { assessHealth, type HealthFacts, type HealthThresholds } from '../../health/assess-health.js'
import { RecentResult } from '../../http/recent-result.js'
import { unavailableReport } from '../../health/answer-health-probe.js'
import { HealthListener } from '../../health/health-listener.js'
import { oldestWaitingAge } from '../../queue/oldest-waiting-age.js'
import { timedCheck, type CheckResult } from '../../health/timed-check.js'
import { described } from '../../schemas/error.js'
import { HealthResponse, LiveResponse } from '../../schemas/health.js'
import { PgCosignatureStore } from '../../store/pg-cosignature-store.js'

export interface HealthRoutesOptions extends HealthThresholds {
  timeoutMs: number
  /** How old a reading /health may answer with (see RecentResult); 0 probes every request. */
  cacheMs: number
  /** Port of the health thread (0: none), on `host`. */
  healthPort: number
  host: string
  /** The configured witnesses' ids (`<name>+<key id>`); none: no witness figures. */
  witnesses: string[]
  witnessPolicy: number
  witnessGraceSeconds: number
  /** REDIS_WAIT_REPLICAS: 0 (default) leaves the replicas unchecked. */
  waitReplicas?: number
}

/**
 * How often the main thread posts to the health thread: a post is a structured clone of a
 * small string, so 4 a second cost nothing, keep the thread within 250 ms of what this port
 * would answer, and give the staleness bound below twelve chances.
 */
const HEALTH_POST_EVERY_MS = 250
/**
 * How long the main thread may stay silent before the health thread says 503. Under full
 * ingest load an iteration takes 15-40 ms and a full GC tens more; 3 s is far beyond that,
 * and about when a load balancer's own probe of the main port would time out.
 */
const HEALTH_STALE_AFTER_MS = 3_000

/**
 * Readiness for load balancers: 200 while this instance can accept events (see assessHealth
 * for the policy). Every probe runs concurrently under its own deadline, so a dead
 * dependency costs at most `timeoutMs`; a reading is shared for up to `cacheMs`.
 */
const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, opts) => {
  const readQueue = async () => {
    const [counts, lag] = await Promise.all([
      app.eventQueue.getJobCounts('waiting', 'active', 'failed'),
      oldestWaitingAge(app.eventQueue)
    ])
    return { waiting: counts.waiting ?? 0, active: counts.active ?? 0, failed: counts.failed ?? 0, lag_seconds: Math.round(lag * 10) / 10 }
  }
  // INFO of the queue's master: on a cluster a keyless command goes to any node, so it rides
  // in a pipeline with a read of one of the queue's keys, which takes it to that key's master.
  const wantedReplicas = opts.waitReplicas ?? 0
  const readReplicas = async () => {
    const replies = await app.redis.pipeline().exists(app.eventQueue.toKey('id')).info('replication').exec()
    const [err, info] = replies?.[1] ?? [new Error('no reply to INFO')]
    if (err != null) throw err
    const online = String(info).split('\n').filter(line => /^slave\d+:.*state=online/.test(line)).length
    return { online, wanted: wantedReplicas }
  }
  // One row per tenant in chain_heads, each joined to its latest checkpoint through the
  // (tenant, size) key: O(tenants), never a scan of the checkpoints or events.
  const readCheckpoints = async () => await app.checkpointStore.lag(opts.maxCheckpointAgeSeconds)
  const cosignatures = new PgCosignatureStore(app.db)
  const witnessPolicy = `${opts.witnessPolicy} of ${opts.witnesses.length}`
  const readWitnessing = async () => {
    const tenants = await cosignatures.witnessing(opts.witnesses, opts.witnessPolicy)
    const late = tenants.filter(t => t.unwitnessedSeconds > opts.witnessGraceSeconds)
    const oldest = Math.max(0, ...tenants.map(t => t.unwitnessedSeconds))
    return { late: late.map(t => t.tenant).slice(0, 20), summary: { policy: witnessPolicy, tenants_unwitnessed: late.length, oldest_unwitnessed_seconds: oldest === 0 ? null : Math.round(oldest * 10) / 10, grace_seconds: opts.witnessGraceSeconds } }
  }

  // The public answer says what is wrong, not who or where: driver errors name hosts and
  // users, and tenant names are the operator's business. Both go to the log instead.
  const deadline = `no answer within ${opts.timeoutMs} ms`
  const publicCheck = (c: CheckResult): CheckResult => c.error === undefined || c.error === deadline
    ? c
    : { status: c.status, latency_ms: c.latency_ms, error: 'connection failed (details in the log)' }
  let lastDetails = JSON.stringify({})
  const logDetails = (status: string, details: { postgres?: string, redis?: string, overdue_tenants?: string[], unwitnessed_tenants?: string[] }) => {
    const text = JSON.stringify(details)
    if (text === lastDetails) return // once per change, not once per probe
    lastDetails = text
    if (status === 'ok') app.log.info({ health: details }, 'health: all checks pass again')
    else app.log.warn({ health: details }, `health: ${status}`)
  }

  const probe = async () => {
    let queue: HealthFacts['queue'] = null
    let summary: Awaited<ReturnType<typeof readCheckpoints>> | undefined
    let witnessing: Awaited<ReturnType<typeof readWitnessing>> | undefined
    let replicas: Awaited<ReturnType<typeof readReplicas>> | undefined
    const [postgres, redis] = await Promise.all([
      timedCheck(async () => {
        [summary, witnessing] = await Promise.all([readCheckpoints(), opts.witnesses.length === 0 ? undefined : readWitnessing()])
      }, opts.timeoutMs),
      timedCheck(async () => {
        [queue, replicas] = await Promise.all([readQueue(), wantedReplicas === 0 ? undefined : readReplicas()])
      }, opts.timeoutMs)
    ])
    if (redis.status === 'down') {
      queue = null
      replicas = undefined
    }
    const checkpoints: HealthFacts['checkpoints'] = postgres.status === 'down' || summary === undefined
      ? null
      : { tenants_behind: summary.tenants_behind, tenants_overdue: summary.tenants_overdue, oldest_unsigned_seconds: summary.oldest_unsigned_seconds === null ? null : Math.round(summary.oldest_unsigned_seconds * 10) / 10 }
    const witnesses = opts.witnesses.length === 0 ? undefined : postgres.status === 'down' || witnessing === undefined ? null : witnessing.summary
    const { status, reasons } = assessHealth({ postgres, redis, queue, checkpoints, ...(witnesses !== undefined && { witnesses }), ...(replicas !== undefined && { replicas }) }, opts)
    logDetails(status, {
      ...(postgres.error !== undefined && { postgres: postgres.error }),
      ...(redis.error !== undefined && { redis: redis.error }),
      ...(checkpoints !== null && checkpoints.tenants_overdue > 0 && { overdue_tenants: summary?.overdue_names ?? [] }),
      ...(witnesses != null && witnesses.tenants_unwitnessed > 0 && { unwitnessed_tenants: witnessing?.late ?? [] })
    })
    return { status, reasons, checks: { postgres: publicCheck(postgres), redis: publicCheck(redis) }, queue, checkpoints, ...(witnesses !== undefined && { witnesses }) }
  }
  const reading = new RecentResult(probe, opts.cacheMs)
  const statusCodeOf = (report: { status: string }) => report.status === 'unavailable' ? 503 : 200
  // From the first step of closing both ports say so at once, not after the grace period.
  const closingReport = unavailableReport('shutting down: this instance takes no new requests')
  let closing = false
  app.addHook('preClose', (done) => { closing = true; done() })

  if (opts.healthPort > 0) {
    // Bound when the app is ready, so a taken HEALTH_PORT fails start-up before the main port
    // is bound; posting starts once the main port listens, so until then the thread says
    // "starting" rather than vouching for a port that takes no connections yet.
    const listener = new HealthListener({ host: opts.host, port: opts.healthPort, staleAfterMs: HEALTH_STALE_AFTER_MS, log: app.log })
    let last: { report: object, body: string } | undefined
    const read = async () => {
      const report = await reading.get()
      if (last?.report !== report) last = { report, body: JSON.stringify(report) }
      return { statusCode: statusCodeOf(report), body: last.body }
    }
    app.addHook('onReady', async () => { await listener.start() })
    app.addHook('onListen', async () => { listener.report(read, HEALTH_POST_EVERY_MS) })
    // The main port stops taking connections now; the health port must say so at once,
    // not after the grace period.
    app.addHook('preClose', async () => {
      listener.hold({ statusCode: 503, body: closingReport })
    })
    app.addHook('onClose', async () => { await listener.close() })
  }

  app.get('/health', {
    config: { public: true },
    schema: {
      security: [],
      operationId: 'getReadiness',
      summary: 'Readiness: can this instance accept events, and does anything need attention?',
      tags: ['health'],
      response: {
        200: described(HealthResponse, '`ok` or `degraded`: this instance accepts events (`reasons` says what needs attention)'),
        503: described(HealthResponse, '`unavailable`: this instance cannot accept events now (Redis down, the backlog full, or shutting down); a load balancer should send them elsewhere')
      }
    }
  }, async (_request, reply) => {
    if (closing) return reply.code(503).send(JSON.parse(closingReport) as Static<typeof HealthResponse>)
    const report = await reading.get()
    return reply.code(statusCodeOf(report)).send(report)
  })

  app.get('/health/live', {
    config: { public: true },
    schema: {
      security: [],
      operationId: 'getLiveness',
      summary: 'Liveness: the process is up (no I/O)',
      tags: ['health'],
      response: { 200: described(LiveResponse, 'The process is up') }
    }
  }, async () => ({ status: 'ok' as const }))
}

export default healthRoutes
