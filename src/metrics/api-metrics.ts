import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export interface ApiMetricSources {
  queueCounts: () => Promise<{ waiting: number, active: number, failed: number }>
  checkpointAges: () => Promise<Array<{ tenant: string, ageSeconds: number }>>
}

/**
 * The API's Prometheus metrics (documented in docs/metrics.md). Gauges that describe shared
 * state (queue, checkpoints) are read at scrape time, so every instance reports the same.
 */
export function createApiMetrics (sources: ApiMetricSources) {
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
        const counts = await sources.queueCounts()
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n)
      } catch {
        this.reset()
      }
    }
  })
  const checkpointAge = new Gauge({
    name: 'audit_checkpoint_age_seconds',
    help: 'Age of each tenant\'s latest signed checkpoint',
    labelNames: ['tenant'],
    registers: [registry],
    async collect () {
      try {
        this.reset()
        for (const { tenant, ageSeconds } of await sources.checkpointAges()) this.set({ tenant }, ageSeconds)
      } catch {
        this.reset()
      }
    }
  })
  const lastVerification = new Gauge({
    name: 'audit_last_verification_valid',
    help: '1 if the last GET /verify on this instance found the tenant\'s log valid, 0 if not',
    labelNames: ['tenant'],
    registers: [registry]
  })
  const lastVerificationTime = new Gauge({
    name: 'audit_last_verification_timestamp_seconds',
    help: 'When the last GET /verify of the tenant finished on this instance',
    labelNames: ['tenant'],
    registers: [registry]
  })
  const recordIngest = (results: Array<{ duplicate: boolean }>) => {
    let dup = 0
    for (const r of results) if (r.duplicate) dup++
    if (results.length > dup) accepted.inc(results.length - dup)
    if (dup > 0) duplicates.inc(dup)
  }
  return { registry, requests, duration, accepted, duplicates, queue, checkpointAge, lastVerification, lastVerificationTime, recordIngest }
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>
