import t from 'tap'
import { createApiMetrics, type TenantLogFigures } from '../../src/metrics/api-metrics.js'
import { boundTenants, OTHER_TENANTS } from '../../src/metrics/bound-tenants.js'
import { createWorkerMetrics } from '../../src/metrics/worker-metrics.js'

const seriesOf = (text: string, name: string) => text.split('\n').filter(l => l.startsWith(`${name}{`))

t.test('boundTenants keeps the first max by rank and folds the rest into _other', async t => {
  const items = [{ tenant: 'a', n: 1 }, { tenant: 'b', n: 5 }, { tenant: 'c', n: 2 }, { tenant: 'd', n: 2 }]
  const sum = (rest: typeof items) => ({ n: rest.reduce((s, r) => s + r.n, 0) })
  t.same(boundTenants(items, 4, (x, y) => y.n - x.n, sum), items, 'within the bound: every tenant as it is')
  t.same(boundTenants(items, 2, (x, y) => y.n - x.n, sum), [{ tenant: 'b', n: 5 }, { tenant: 'c', n: 2 }, { tenant: OTHER_TENANTS, n: 3 }], 'ties broken by name')
  t.same(boundTenants(items, 0, (x, y) => y.n - x.n, sum), [{ tenant: OTHER_TENANTS, n: 10 }])
})

t.test('the API exports at most METRICS_TENANTS named tenants plus _other, however many there are', async t => {
  const logs: TenantLogFigures[] = Array.from({ length: 500 }, (_, i) => ({ tenant: `t${i}`, size: 10, signed: 10, checkpointAgeSeconds: 3600 + i, unsignedSeconds: 0 }))
  logs[42] = { tenant: 't42', size: 12, signed: 10, checkpointAgeSeconds: 4000, unsignedSeconds: 900 }
  logs[7] = { tenant: 't7', size: 11, signed: 10, checkpointAgeSeconds: 50, unsignedSeconds: 30 }
  const metrics = createApiMetrics({ queueCounts: async () => ({ waiting: 0, active: 0, failed: 0 }), queueLag: async () => 0, tenantLogs: async () => logs }, { readingMs: 0, tenantSeries: 3 })
  const text = await metrics.registry.metrics()
  for (const name of ['audit_log_size', 'audit_checkpoint_age_seconds', 'audit_events_awaiting_checkpoint', 'audit_oldest_awaiting_checkpoint_seconds']) {
    t.equal(seriesOf(text, name).length, 4, `${name}: 3 tenants and _other`)
  }
  // The tenants waiting longest for a checkpoint are named, so an alert can say which.
  t.match(text, /^audit_oldest_awaiting_checkpoint_seconds\{tenant="t42"\} 900$/m)
  t.match(text, /^audit_oldest_awaiting_checkpoint_seconds\{tenant="t7"\} 30$/m)
  t.match(text, /^audit_events_awaiting_checkpoint\{tenant="t42"\} 2$/m)
  // _other sums the sizes of the 497 others and keeps their oldest checkpoint.
  t.match(text, /^audit_log_size\{tenant="_other"\} 4970$/m)
  t.match(text, /^audit_log_size\{tenant="t0"\} 10$/m, 'the third by name, all else equal')
  t.match(text, /^audit_checkpoint_age_seconds\{tenant="_other"\} 4099$/m, 'the oldest checkpoint among them: t499 (3600 + 499)')
  t.match(text, /^audit_oldest_awaiting_checkpoint_seconds\{tenant="_other"\} 0$/m)
  t.match(text, /^audit_tenants 500$/m, 'the count of tenants is not bounded')
})

t.test('the worker\'s verification gauges are bounded too, failed logs named first', async t => {
  const metrics = createWorkerMetrics({ tenantSeries: 2 })
  for (let i = 0; i < 100; i++) metrics.recordVerification({ tenant: `t${i}`, valid: i !== 60, at: 1_000_000 + i, verifiedSize: 5 })
  const text = await metrics.registry.metrics()
  for (const name of ['audit_last_verification_valid', 'audit_last_verification_timestamp_seconds', 'audit_verified_log_size']) {
    t.equal(seriesOf(text, name).length, 3, `${name}: 2 tenants and _other`)
  }
  t.match(text, /^audit_last_verification_valid\{tenant="t60"\} 0$/m, 'the failed log first')
  t.match(text, /^audit_last_verification_timestamp_seconds\{tenant="t0"\} 1000000$/m, 'then the longest unconfirmed')
  t.match(text, /^audit_last_verification_valid\{tenant="_other"\} 1$/m)
  t.match(text, /^audit_verified_log_size\{tenant="_other"\} 490$/m)
  t.match(text, /^audit_verification_failed_tenants 1$/m)
  t.notMatch(text, /audit_verification_last_run_timestamp_seconds \d/, 'no run yet: absent, not 0')
  metrics.recordVerificationRun(1_000_100)
  t.match(await metrics.registry.metrics(), /^audit_verification_last_run_timestamp_seconds 1000100$/m)
})
