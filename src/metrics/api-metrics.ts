import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { RecentResult } from '../http/recent-result.js'
import { boundTenants, DEFAULT_TENANT_SERIES } from './bound-tenants.js'
import { collectProcessMetrics } from './collect-process-metrics.js'
import type { TenantWitnessing } from '../store/pg-cosignature-store.js'

export interface TenantLogFigures {
  tenant: string
  /** Records in the tenant's chain. */
  size: number
  /** Records covered by its latest signed checkpoint (0 before the first). */
  signed: number
  /** Age of its latest signed checkpoint; null when none was signed yet. */
  checkpointAgeSeconds: number | null
  /** How long its oldest record not covered by a checkpoint has waited (0 when none waits). */
  unsignedSeconds: number
}

export interface ApiMetricSources {
  queueCounts: () => Promise<{ waiting: number, active: number, failed: number }>
  /** Age of the oldest waiting job, in seconds (0 when none waits). */
  queueLag: () => Promise<number>
  tenantLogs: () => Promise<TenantLogFigures[]>
  /** Each tenant's witnessing (PgCosignatureStore#witnessing); absent without WITNESSES. */
  witnessing?: () => Promise<TenantWitnessing[]>
}

export interface ApiMetricsOptions {
  /** How long a reading of Redis and PostgreSQL serves scrapes (METRICS_CACHE_MS). */
  readingMs?: number
  /** Tenants named in per-tenant series; the others are summed up as `_other` (METRICS_TENANTS). */
  tenantSeries?: number
  /** WITNESS_GRACE_SECONDS: how long a log may go unwitnessed before its policy gauge says 0. */
  witnessGraceSeconds?: number
}

/**
 * How long a reading of Redis and PostgreSQL serves scrapes. Several Prometheus servers (or
 * a scraper in a loop) then cost one reading per few seconds, not one per scrape.
 */
export const METRICS_READING_MS = 5_000

/**
 * Tenants most in need of a look first: the longest wait for a checkpoint, then the most
 * records waiting, then the largest log.
 */
const byUrgency = (a: TenantLogFigures, b: TenantLogFigures) =>
  (b.unsignedSeconds - a.unsignedSeconds) || ((b.size - b.signed) - (a.size - a.signed)) || (b.size - a.size)

/** What the folded tenants have together: sizes add up, ages are the oldest of them. */
const foldLogs = (rest: TenantLogFigures[]): Omit<TenantLogFigures, 'tenant'> => {
  const ages = rest.flatMap(r => r.checkpointAgeSeconds === null ? [] : [r.checkpointAgeSeconds])
  return {
    size: rest.reduce((sum, r) => sum + r.size, 0),
    signed: rest.reduce((sum, r) => sum + r.signed, 0),
    checkpointAgeSeconds: ages.length === 0 ? null : Math.max(...ages),
    unsignedSeconds: Math.max(0, ...rest.map(r => r.unsignedSeconds))
  }
}

/** The least recently witnessed tenants first. */
const byWitnessing = (a: TenantWitnessing, b: TenantWitnessing) => (b.unwitnessedSeconds - a.unwitnessedSeconds) || (a.cosignatures - b.cosignatures)

/** The folded tenants together: the fewest cosignatures, the longest unwitnessed. */
const foldWitnessing = (rest: TenantWitnessing[]): Omit<TenantWitnessing, 'tenant'> => ({
  cosignatures: Math.min(...rest.map(r => r.cosignatures)),
  unwitnessedSeconds: Math.max(...rest.map(r => r.unwitnessedSeconds))
})

/**
 * The API's Prometheus metrics (documented in docs/metrics.md). Gauges that describe shared
 * state (queue, logs) are read at scrape time, so every instance reports the same; a reading
 * is shared by concurrent scrapes and reused for `readingMs`.
 */
export function createApiMetrics (sources: ApiMetricSources, options: ApiMetricsOptions = {}) {
  const readingMs = options.readingMs ?? METRICS_READING_MS
  const tenantSeries = options.tenantSeries ?? DEFAULT_TENANT_SERIES
  const queueCounts = new RecentResult(sources.queueCounts, readingMs)
  const queueLag = new RecentResult(sources.queueLag, readingMs)
  const tenantLogs = new RecentResult(async () => {
    const all = await sources.tenantLogs()
    return { tenants: all.length, series: boundTenants(all, tenantSeries, byUrgency, foldLogs) }
  }, readingMs)
  const witnessing = sources.witnessing === undefined
    ? undefined
    : new RecentResult(async () => boundTenants(await sources.witnessing!(), tenantSeries, byWitnessing, foldWitnessing), readingMs)
  const graceSeconds = options.witnessGraceSeconds ?? 120
  const registry = new Registry()
  collectProcessMetrics(registry, 'audit_api_')
  /** A gauge per tenant (bounded, see boundTenants) read from a shared reading; `null` leaves a tenant out. */
  const perTenantGauge = <T extends { tenant: string }>(name: string, help: string, read: () => Promise<readonly T[]>, value: (row: T) => number | null) => new Gauge({
    name,
    help,
    labelNames: ['tenant'],
    registers: [registry],
    async collect () {
      this.reset()
      try {
        for (const row of await read()) {
          const v = value(row)
          if (v !== null) this.set({ tenant: row.tenant }, v)
        }
      } catch {}
    }
  })
  /** From the witnessing reading; not registered at all without witnesses. */
  const witnessGauge = (name: string, help: string, value: (w: TenantWitnessing) => number) =>
    witnessing !== undefined && perTenantGauge(name, help, async () => await witnessing.get(), value)
  witnessGauge('audit_witness_cosignatures', 'Cosignatures of each tenant\'s latest checkpoint by the configured witnesses (WITNESSES)', w => w.cosignatures)
  witnessGauge('audit_witness_policy_met', '1 while each tenant\'s log has a checkpoint cosigned per WITNESS_POLICY no older than WITNESS_GRACE_SECONDS behind its latest, 0 when not', w => w.unwitnessedSeconds > graceSeconds ? 0 : 1)
  const requests = new Counter({
    name: 'audit_http_requests_total',
    help: 'HTTP requests by route, method and status code',
    labelNames: ['route', 'method', 'status'],
    registers: [registry]
  })
  const duration = new Histogram({
    name: 'audit_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['route', 'method'],
    // Up to 5 minutes: exports and verifications of large logs take seconds to minutes.
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry]
  })
  const accepted = new Counter({
    name: 'audit_events_accepted_total',
    help: 'Events queued for the worker: source="client" answered 202 (duplicates excluded), source="service" the service\'s own-access events',
    labelNames: ['source'],
    registers: [registry]
  })
  accepted.inc({ source: 'client' }, 0)
  accepted.inc({ source: 'service' }, 0)
  const duplicates = new Counter({ name: 'audit_events_duplicate_total', help: 'Repeated events answered 202 from the idempotency key, nothing queued', registers: [registry] })
  const queue = new Gauge({
    name: 'audit_queue_jobs',
    help: 'Jobs in the queue by state (failed = dead letters)',
    labelNames: ['state'],
    registers: [registry],
    async collect () {
      try {
        const counts = await queueCounts.get()
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n)
      } catch {
        this.reset()
      }
    }
  })
  // Absent (not 0) when Redis cannot be read: an alert must not take "unknown" for "no lag".
  const lag = new Gauge({
    name: 'audit_queue_lag_seconds',
    help: 'Age of the oldest waiting job (0 when none waits); grows while no worker takes jobs',
    registers: [registry],
    async collect () {
      try {
        this.set(await queueLag.get())
      } catch {
        this.remove() // reset() would say 0
      }
    }
  })
  const tenantGauge = (name: string, help: string, value: (f: TenantLogFigures) => number | null) =>
    perTenantGauge(name, help, async () => (await tenantLogs.get()).series, value)
  const checkpointAge = tenantGauge('audit_checkpoint_age_seconds', 'Age of each tenant\'s latest signed checkpoint (grows while the tenant is idle)', f => f.checkpointAgeSeconds)
  const logSize = tenantGauge('audit_log_size', 'Records in each tenant\'s chain', f => f.size)
  const awaiting = tenantGauge('audit_events_awaiting_checkpoint', 'Records of each tenant not covered by its latest signed checkpoint yet', f => f.size - f.signed)
  const awaitingAge = tenantGauge('audit_oldest_awaiting_checkpoint_seconds', 'How long each tenant\'s oldest record not covered by a checkpoint has waited (0 when none waits)', f => f.unsignedSeconds)
  const tenants = new Gauge({
    name: 'audit_tenants',
    help: 'Tenants with a chain (the per-tenant series name at most METRICS_TENANTS of them)',
    registers: [registry],
    async collect () {
      try {
        this.set((await tenantLogs.get()).tenants)
      } catch {
        this.remove()
      }
    }
  })
  const recordIngest = (results: Array<{ duplicate: boolean }>) => {
    let dup = 0
    for (const r of results) if (r.duplicate) dup++
    if (results.length > dup) accepted.inc({ source: 'client' }, results.length - dup)
    if (dup > 0) duplicates.inc(dup)
  }
  /** One own-access event (an export, a verification, a key change) queued by the service. */
  const recordOwnEvent = () => { accepted.inc({ source: 'service' }) }
  return { registry, requests, duration, accepted, duplicates, queue, lag, checkpointAge, logSize, awaiting, awaitingAge, tenants, recordIngest, recordOwnEvent }
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>
