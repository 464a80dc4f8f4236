import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { boundTenants, DEFAULT_TENANT_SERIES } from './bound-tenants.js'
import { collectProcessMetrics } from './collect-process-metrics.js'
import { WITNESS_OUTCOMES } from '../witnessing/checkpoint-witnessing.js'

/** A tenant's latest background verification outcome, as the gauges show it. */
export interface VerificationFigures {
  tenant: string
  valid: boolean
  /** When the outcome was last confirmed (seconds since the epoch). */
  at: number
  verifiedSize: number
}

export interface WorkerMetricsOptions {
  /** Tenants named in per-tenant series; the others are summed up as `_other` (METRICS_TENANTS). */
  tenantSeries?: number
  /** The configured witnesses (`<name>+<key id>`): their request counters start at 0. */
  witnesses?: readonly string[]
}

/** Failed logs first, then the longest since confirmed. */
const byUrgency = (a: VerificationFigures, b: VerificationFigures) => (Number(a.valid) - Number(b.valid)) || (a.at - b.at)

/** The folded tenants together: valid only if all are, confirmed as of the oldest. */
const foldVerifications = (rest: VerificationFigures[]): Omit<VerificationFigures, 'tenant'> => ({
  valid: rest.every(r => r.valid),
  at: Math.min(...rest.map(r => r.at)),
  verifiedSize: rest.reduce((sum, r) => sum + r.verifiedSize, 0)
})

/** The worker's Prometheus metrics, served by its own small HTTP listener (docs/metrics.md). */
export function createWorkerMetrics (options: WorkerMetricsOptions = {}) {
  const tenantSeries = options.tenantSeries ?? DEFAULT_TENANT_SERIES
  const registry = new Registry()
  collectProcessMetrics(registry, 'audit_worker_')
  // Set by the background verifier only (src/worker/background-verifier.ts); exported bounded.
  const verifications = new Map<string, VerificationFigures>()
  let bounded: VerificationFigures[] | undefined
  const verificationSeries = () => (bounded ??= boundTenants([...verifications.values()], tenantSeries, byUrgency, foldVerifications))
  const verificationGauge = (name: string, help: string, value: (v: VerificationFigures) => number) => new Gauge({
    name,
    help,
    labelNames: ['tenant'],
    registers: [registry],
    collect () {
      this.reset()
      for (const v of verificationSeries()) this.set({ tenant: v.tenant }, value(v))
    }
  })
  let lastRunAt: number | undefined
  const witnessRequests = new Counter({
    name: 'audit_witness_requests_total',
    help: 'add-checkpoint exchanges with each witness (WITNESSES) by outcome: cosigned, conflict (409), forbidden (403), unknown_origin (404), bad_proof (422), bad_cosignature, failed',
    labelNames: ['witness', 'outcome'],
    registers: [registry]
  })
  // Every outcome of every witness from the start, so rate() and increase() see the first one.
  for (const witness of options.witnesses ?? []) for (const outcome of WITNESS_OUTCOMES) witnessRequests.inc({ witness, outcome }, 0)
  return {
    witnessRequests,
    registry,
    stored: new Counter({ name: 'audit_events_stored_total', help: 'Events appended to a chain and committed (client and own-access events alike)', registers: [registry] }),
    duplicates: new Counter({ name: 'audit_events_redelivered_total', help: 'Events found already stored (a redelivered job): not written again', registers: [registry] }),
    deadLettered: new Counter({ name: 'audit_events_dead_lettered_total', help: 'Events of jobs that failed for good and went to the dead-letter set, counted once per job', registers: [registry] }),
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
    commitDuration: new Histogram({
      name: 'audit_append_commit_duration_seconds',
      help: 'Time of one append transaction, from its start to its commit (or its failure)',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry]
    }),
    verificationValid: verificationGauge('audit_last_verification_valid',
      '1 while the background verifier finds the tenant\'s log valid up to its latest signed checkpoint, 0 once it found a fault', v => v.valid ? 1 : 0),
    verificationTime: verificationGauge('audit_last_verification_timestamp_seconds',
      'When the background verifier last confirmed the tenant\'s outcome (or found the fault)', v => v.at),
    verifiedSize: verificationGauge('audit_verified_log_size',
      'Records of the tenant\'s log the background verifier has checked since this worker started', v => v.verifiedSize),
    verificationFailed: new Gauge({
      name: 'audit_verification_failed_tenants',
      help: 'Tenants whose log the background verifier found not to verify',
      registers: [registry],
      collect () {
        let failed = 0
        for (const v of verifications.values()) if (!v.valid) failed++
        this.set(failed)
      }
    }),
    verificationRun: new Gauge({
      name: 'audit_verification_last_run_timestamp_seconds',
      help: 'When the background verifier last finished a run over all tenants (absent before the first, and in workers that run none)',
      registers: [registry],
      collect () {
        if (lastRunAt === undefined) this.remove()
        else this.set(lastRunAt)
      }
    }),
    /** A tenant's outcome from the background verifier. */
    recordVerification (figures: VerificationFigures): void {
      verifications.set(figures.tenant, figures)
      bounded = undefined
    },
    /** A background verification run ended (seconds since the epoch). */
    recordVerificationRun (at: number): void {
      lastRunAt = at
    }
  }
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>
