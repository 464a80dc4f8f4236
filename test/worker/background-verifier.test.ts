import pg from 'pg'
import t from 'tap'
import { canonicalJson } from '../../src/core/json/index.js'
import { freePort } from '../faults/free-port.js'
import { buildTestApp, countRows, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'

const scrape = async (port: number) => await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
const gauge = (body: string, name: string, tenant: string) => body.match(new RegExp(`^${name}\\{tenant="${tenant}"\\} (\\S+)$`, 'm'))?.[1]

// Two tenants' logs, signed; one is tampered with while no worker runs. A worker started
// afterwards verifies both from seq 1 and exports the outcome on its metrics port; a read
// key's one-row GET /verify cannot move it.
t.test('the worker\'s background verifier exports 0 for a tampered log and 1 for a clean one', async t => {
  const apiMetricsPort = await freePort()
  const config = await testConfig(t, { VERIFY_INTERVAL_SECONDS: '0', API_METRICS_PORT: String(apiMetricsPort) })
  const app = await buildTestApp(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const writer = await startTestWorker(t, config)
  for (const tenant of ['acme', 'clean']) {
    const events = Array.from({ length: 30 }, (_, i) => sampleEvent({ tenant, target: { type: 'doc', id: `d${i}` } }))
    t.equal((await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events } })).statusCode, 202)
    await waitFor(async () => await countRows(db, tenant) === 30, { what: `30 rows of ${tenant}` })
    t.equal((await app.inject({ method: 'POST', url: `/checkpoints?tenant=${tenant}` })).statusCode, 201)
  }
  await writer.close()

  // As a database administrator could: the append-only triggers bypassed.
  const admin = new pg.Client({ connectionString: config.databaseUrl })
  await admin.connect()
  t.teardown(() => admin.end())
  const asDba = async (statement: string, values: unknown[]) => {
    await admin.query('BEGIN; SET LOCAL session_replication_role = replica')
    await admin.query(statement, values)
    await admin.query('COMMIT')
  }
  const original = (await admin.query('SELECT canonical FROM audit_events WHERE tenant = $1 AND seq = 17', ['acme'])).rows[0].canonical as Buffer
  const record = JSON.parse(original.toString('utf8'))
  record.action = 'user.logout'
  const forged = Buffer.from(canonicalJson(record))
  await asDba('UPDATE audit_events SET canonical = $1, record = $2 WHERE tenant = $3 AND seq = 17', [forged, forged.toString(), 'acme'])

  const metricsPort = await freePort()
  const verifierConfig = { ...config, verifyIntervalSeconds: 1, verifyPagesPerRun: 1, workerMetricsPort: metricsPort }
  await startTestWorker(t, verifierConfig)
  const body = await waitFor(async () => {
    const text = await scrape(metricsPort)
    return gauge(text, 'audit_last_verification_valid', 'acme') !== undefined && gauge(text, 'audit_verified_log_size', 'clean') === '30' ? text : undefined
  }, { what: 'both tenants verified' })
  t.equal(gauge(body, 'audit_last_verification_valid', 'acme'), '0', 'the tampered log')
  t.equal(gauge(body, 'audit_verified_log_size', 'acme'), '16', 'verified up to the row before the tampered one')
  t.equal(gauge(body, 'audit_last_verification_valid', 'clean'), '1', 'the clean log')
  t.ok(Number(gauge(body, 'audit_last_verification_timestamp_seconds', 'clean')) > Date.now() / 1000 - 60)

  // A read key verifies one good row: the API answers valid, and no gauge moves.
  const readKey = (await app.inject({ method: 'POST', url: '/keys', payload: { tenant: 'acme', name: 'r', scopes: ['events:read'] } })).json().key
  const partial = await app.inject({ method: 'GET', url: '/verify?from_seq=1&to_seq=1', headers: { authorization: `Bearer ${readKey}` } })
  t.match(partial.json(), { valid: true, checked: 1 })
  t.equal(gauge(await scrape(metricsPort), 'audit_last_verification_valid', 'acme'), '0', 'still 0 on the worker')
  t.notMatch(await scrape(apiMetricsPort), /audit_last_verification_valid\{tenant="acme"\} 1/, 'and the API exports no such gauge')

  // Rewriting a record the verifier already passed is caught on its next run.
  await asDba('UPDATE audit_events SET hash = $1 WHERE tenant = $2 AND seq = 30', [Buffer.alloc(32, 7), 'clean'])
  await waitFor(async () => gauge(await scrape(metricsPort), 'audit_last_verification_valid', 'clean') === '0', { what: 'the rewrite of clean\'s row 30 found' })
  t.pass('the rewrite of clean\'s row 30 is found')
})
