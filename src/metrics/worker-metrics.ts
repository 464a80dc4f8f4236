import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** The worker's Prometheus metrics, served by its own small HTTP listener (docs/metrics.md). */
export function createWorkerMetrics () {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'audit_worker_' })
  return {
    registry,
    stored: new Counter({ name: 'audit_events_stored_total', help: 'Events appended to a chain and committed', registers: [registry] }),
    duplicates: new Counter({ name: 'audit_events_redelivered_total', help: 'Events found already stored (a redelivered job): not written again', registers: [registry] }),
    deadLettered: new Counter({ name: 'audit_events_dead_lettered_total', help: 'Events refused for good (id stored with other content) and left in the dead-letter set', registers: [registry] }),
    jobFailures: new Counter({ name: 'audit_jobs_failed_attempts_total', help: 'Job attempts that failed and will be retried or dead-lettered', registers: [registry] }),
    lag: new Histogram({
      name: 'audit_event_lag_seconds',
      help: 'End-to-end lag: from received_at (API) to commit in PostgreSQL',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry]
    }),
    batchSize: new Histogram({
      name: 'audit_append_batch_events',
      help: 'Events per append transaction',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2000],
      registers: [registry]
    }),
    // Set by the background verifier only (src/worker/background-verifier.ts). One series
    // per tenant and gauge: fine for tens or hundreds of tenants, not for many thousands.
    verificationValid: new Gauge({
      name: 'audit_last_verification_valid',
      help: '1 while the background verifier finds the tenant\'s log valid up to its latest signed checkpoint, 0 once it found a fault',
      labelNames: ['tenant'],
      registers: [registry]
    }),
    verificationTime: new Gauge({
      name: 'audit_last_verification_timestamp_seconds',
      help: 'When the background verifier last confirmed the tenant\'s outcome (or found the fault)',
      labelNames: ['tenant'],
      registers: [registry]
    }),
    verifiedSize: new Gauge({
      name: 'audit_verified_log_size',
      help: 'Records of the tenant\'s log the background verifier has checked since this worker started',
      labelNames: ['tenant'],
      registers: [registry]
    })
  }
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>
