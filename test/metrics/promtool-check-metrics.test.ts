import { randomUUID } from 'node:crypto'
import t from 'tap'
import { exampleMetrics } from '../../src/schemas/examples.js'
import { freePort } from '../faults/free-port.js'
import { buildTestApp, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'
import { queueConflictingEvent } from './log-faults.js'
import { promtool, promtoolPath } from './promtool.js'

const scrape = async (port: number) => {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`)
  if (res.status !== 200) throw new Error(`scrape of port ${port}: ${res.status}`)
  return await res.text()
}

// Both processes, after every kind of work that makes a series appear: single and batch
// ingest, a duplicate, an own-access event (GET /verify), a dead letter, signed checkpoints,
// the background verifier, request errors. promtool reads what a scraper would read.
t.test('promtool check metrics finds nothing in the scrapes of the API and the worker', async t => {
  promtoolPath() // fails at once, naming the package, when promtool is missing
  const [apiPort, workerPort] = [await freePort(), await freePort()]
  const config = await testConfig(t, { API_METRICS_PORT: String(apiPort), WORKER_METRICS_PORT: String(workerPort), CHECKPOINT_INTERVAL_SECONDS: '1', VERIFY_INTERVAL_SECONDS: '1', METRICS_CACHE_MS: '0' })
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  await app.ready()

  const id = randomUUID()
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ id, tenant: 'acme' }) })).statusCode, 202)
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ id, tenant: 'acme' }) })).statusCode, 202, 'a duplicate')
  t.equal((await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: [sampleEvent({ tenant: 'beta' }), sampleEvent({ tenant: 'beta' })] } })).statusCode, 202)
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: { action: 1 } })).statusCode, 400)
  await waitFor(() => db.selectFrom('checkpoints').select('size').where('tenant', '=', 'beta').where('size', '=', 2).executeTakeFirst(), { what: 'beta signed' })
  t.equal((await app.inject({ method: 'GET', url: '/verify?tenant=beta' })).statusCode, 200)
  await queueConflictingEvent(app, 'acme', id)

  const api = await waitFor(async () => {
    const text = await scrape(apiPort)
    return /^audit_queue_jobs\{state="failed"\} 1$/m.test(text) && /^audit_events_accepted_total\{source="service"\} 1$/m.test(text) ? text : undefined
  }, { what: 'the dead letter and the own-access event on the API' })
  const worker = await waitFor(async () => {
    const text = await scrape(workerPort)
    return /^audit_events_dead_lettered_total 1$/m.test(text) && /^audit_verification_last_run_timestamp_seconds \d/m.test(text) ? text : undefined
  }, { what: 'the dead letter and a verification run on the worker' })

  for (const [name, text] of [['API', api], ['worker', worker], ['the OpenAPI example of GET /metrics', exampleMetrics]] as const) {
    const { status, output } = await promtool(['check', 'metrics'], text)
    t.equal(output.trim(), '', `${name}: promtool reports nothing`)
    t.equal(status, 0, `${name}: promtool check metrics exits 0`)
  }
  // The series this issue added are in what promtool read.
  for (const series of ['audit_queue_lag_seconds', 'audit_events_awaiting_checkpoint{tenant="beta"}', 'audit_oldest_awaiting_checkpoint_seconds{tenant="acme"}', 'audit_tenants', 'audit_api_nodejs_active_handles{']) {
    t.ok(api.includes(`\n${series}`), `API: ${series}`)
  }
  for (const series of ['audit_append_commit_duration_seconds_bucket{le="0.001",outcome="committed"}', 'audit_last_verification_valid{tenant="beta"} 1', 'audit_verification_failed_tenants 0']) {
    t.ok(worker.includes(`\n${series}`), `worker: ${series}`)
  }
  t.notMatch(api + worker, /_active_(handles|requests|resources)_total/, 'none of prom-client\'s _total gauges')

  // The check can fail: the gauge prom-client names like a counter is reported.
  const { status, output } = await promtool(['check', 'metrics'], '# HELP x_total a gauge\n# TYPE x_total gauge\nx_total 1\n')
  t.not(status, 0)
  t.match(output, /non-counter metrics should not have "_total" suffix/)
})
