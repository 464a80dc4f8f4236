import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { RecentResult } from '../http/recent-result.js'

export interface TenantLogFigures {
  tenant: string
  /** Records in the tenant's chain. */
  size: number
  /** Age of its latest signed checkpoint; null when none was signed yet. */
  checkpointAgeSeconds: number | null
}

export interface ApiMetricSources {
  queueCounts: () => Promise<{ waiting: number, active: number, failed: number }>
  tenantLogs: () => Promise<TenantLogFigures[]>
}

/**
 * How long a reading of Redis and PostgreSQL serves scrapes. Several Prometheus servers (or
 * a scraper in a loop) then cost one reading per few seconds, not one per scrape.
 */
export const METRICS_READING_MS = 5_000

/**
 * The API's Prometheus metrics (documented in docs/metrics.md). Gauges that describe shared
 * state (queue, logs) are read at scrape time, so every instance reports the same; a reading
 * is shared by concurrent scrapes and reused for `readingMs`.
 */
export function createApiMetrics (sources: ApiMetricSources, readingMs = METRICS_READING_MS) {
  const queueCounts = new RecentResult(sources.queueCounts, readingMs)
  const tenantLogs = new RecentResult(sources.tenantLogs, readingMs)
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'audit_api_' })
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
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry]
  })
  const accepted = new Counter({ name: 'audit_events_accepted_total', help: 'Events answered 202 (queued), duplicates excluded', registers: [registry] })
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
  // One series per tenant: fine for tens or hundreds of tenants; thousands would call for
  // dropping the label (see docs/metrics.md).
  const checkpointAge = new Gauge({
    name: 'audit_checkpoint_age_seconds',
    help: 'Age of each tenant\'s latest signed checkpoint',
    labelNames: ['tenant'],
    registers: [registry],
    async collect () {
      this.reset()
      try {
        for (const { tenant, checkpointAgeSeconds } of await tenantLogs.get()) if (checkpointAgeSeconds !== null) this.set({ tenant }, checkpointAgeSeconds)
      } catch {}
    }
  })
  const logSize = new Gauge({
    name: 'audit_log_size',
    help: 'Records in each tenant\'s chain',
    labelNames: ['tenant'],
    registers: [registry],
    async collect () {
      this.reset()
      try {
        for (const { tenant, size } of await tenantLogs.get()) this.set({ tenant }, size)
      } catch {}
    }
  })
  const recordIngest = (results: Array<{ duplicate: boolean }>) => {
    let dup = 0
    for (const r of results) if (r.duplicate) dup++
    if (results.length > dup) accepted.inc(results.length - dup)
    if (dup > 0) duplicates.inc(dup)
  }
  return { registry, requests, duration, accepted, duplicates, queue, checkpointAge, logSize, recordIngest }
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>
