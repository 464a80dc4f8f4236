import { Writable } from 'node:stream'
import { pino } from 'pino'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { createApiMetrics } from '../../src/metrics/api-metrics.js'
import { freePort } from '../faults/free-port.js'
import { ADMIN_AUTH, buildTestApp, CLOSED_PORT, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'

const scrape = async (port: number, headers: Record<string, string> = {}) => {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers })
  return { status: res.status, body: await res.text() }
}

/** A pino logger whose lines land in an array. */
const capturedLogger = () => {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString())); done() } })
  return { lines, logger: pino({ level: 'info' }, stream) }
}

t.test('anonymous callers get no /metrics on the API port; the scraper gets them on API_METRICS_PORT', async t => {
  const metricsPort = await freePort()
  const config = await testConfig(t, { API_METRICS_PORT: String(metricsPort) })
  const app = await buildTestApp(t, config)
  await app.ready()
  // Unknown routes need a key before they are found missing: 401 here, 404 with a key.
  const anonymous = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: '' } })
  t.equal(anonymous.statusCode, 401, 'anonymous: refused')
  t.notMatch(anonymous.body, /audit_/)
  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404, 'not even for an admin API key')

  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ tenant: 'acme' }) })).statusCode, 202)
  const own = await scrape(metricsPort)
  t.equal(own.status, 200)
  t.match(own.body, /audit_http_requests_total\{route="\/audit-events",method="POST",status="202"\} 1/)
  t.match(own.body, /audit_queue_jobs\{state="waiting"\} 1/)
  await app.close()
  await t.rejects(scrape(metricsPort), 'the listener closes with the app')
})

t.test('with METRICS_TOKEN, /metrics is on the API port too, for the token only', async t => {
  const metricsPort = await freePort()
  const config = await testConfig(t, { METRICS_TOKEN: 'scrape-secret', API_METRICS_PORT: String(metricsPort) })
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ tenant: 'acme' }) })).statusCode, 202)
  await waitFor(() => db.selectFrom('checkpoints').select('size').where('tenant', '=', 'acme').executeTakeFirst(), { what: 'a checkpoint for acme' })

  for (const authorization of ['', 'Bearer wrong', ADMIN_AUTH.authorization]) {
    const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization } })
    t.equal(res.statusCode, 401, `refused: ${JSON.stringify(authorization)}`)
    t.equal(res.json().code, 'AUDIT_ERR_UNAUTHENTICATED')
    t.notMatch(res.body, /acme/)
  }
  const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-secret' } })
  t.equal(res.statusCode, 200)
  // Per-tenant figures come from chain_heads, behind the token.
  t.match(res.body, /audit_log_size\{tenant="acme"\} 1/)
  t.match(res.body, /audit_checkpoint_age_seconds\{tenant="acme"\} \d/)

  // A read key's one-row verification used to set audit_last_verification_valid to 1, whatever
  // the rest of the log: only the worker's background verifier sets it now.
  const readKey = (await app.inject({ method: 'POST', url: '/keys', payload: { tenant: 'acme', name: 'r', scopes: ['events:read'] } })).json().key
  t.match((await app.inject({ method: 'GET', url: '/verify?from_seq=1&to_seq=1', headers: { authorization: `Bearer ${readKey}` } })).json(), { valid: true, checked: 1 })
  const after = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-secret' } })
  t.notMatch(after.body, /audit_last_verification_valid/, 'a /verify run moves no gauge on the API')

  t.equal((await scrape(metricsPort)).status, 401, 'the own listener wants the token as well')
  t.equal((await scrape(metricsPort, { authorization: 'Bearer scrape-secret' })).status, 200)
})

t.test('concurrent scrapes share one reading of Redis and PostgreSQL, reused for a few seconds', async t => {
  let reads = 0
  const metrics = createApiMetrics({
    queueCounts: async () => { reads++; return { waiting: 1, active: 0, failed: 0 } },
    queueLag: async () => { reads++; return 0 },
    tenantLogs: async () => { reads++; return [{ tenant: 'acme', size: 3, signed: 3, checkpointAgeSeconds: 2, unsignedSeconds: 0 }] }
  })
  const bodies = await Promise.all([metrics.registry.metrics(), metrics.registry.metrics(), metrics.registry.metrics()])
  t.equal(reads, 3, 'one read per source for three concurrent scrapes')
  await metrics.registry.metrics()
  t.equal(reads, 3, 'and none for the next scrape within the reading\'s lifetime')
  t.match(bodies[0], /audit_log_size\{tenant="acme"\} 3/)
})

t.test('/health with PostgreSQL unreachable: no host, user or driver text on either port; the details go to the log once', async t => {
  const healthPort = await freePort()
  const config = await testConfig(t, {
    DATABASE_URL: `postgres://hidden_db_user@127.0.0.1:${CLOSED_PORT}/hidden_db_name`,
    HEALTH_PORT: String(healthPort),
    HEALTH_CACHE_MS: '0'
  })
  const { lines, logger } = capturedLogger()
  const app = await buildApp({ config, loggerInstance: logger })
  t.teardown(() => app.close())
  await app.listen({ host: '127.0.0.1', port: 0 })

  const injected = await app.inject({ method: 'GET', url: '/health' })
  await app.inject({ method: 'GET', url: '/health' })
  t.equal(injected.statusCode, 200)
  t.match(injected.json(), { status: 'degraded', reasons: ['postgres unreachable: events are queued but not stored until it is back'], checks: { postgres: { status: 'down', error: 'connection failed (details in the log)' } }, checkpoints: null })
  const threaded = await waitFor(async () => {
    const res = await fetch(`http://127.0.0.1:${healthPort}/health`)
    return res.status === 200 ? await res.text() : undefined
  }, { what: 'a reading on HEALTH_PORT' })
  for (const [port, body] of [['PORT', injected.body], ['HEALTH_PORT', threaded]] as const) {
    for (const secret of ['127.0.0.1', 'ECONNREFUSED', 'hidden_db_user', 'hidden_db_name']) {
      t.notOk(body.includes(secret), `${port}: ${secret} is not in the answer`)
    }
  }
  const logged = lines.filter(l => l.msg === 'health: degraded')
  t.equal(logged.length, 1, 'logged once, not once per probe')
  t.match(logged[0], { health: { postgres: /ECONNREFUSED/ } })
})

t.test('/health counts the tenants whose checkpoint is overdue, without naming them', async t => {
  const config = await testConfig(t, { HEALTH_MAX_CHECKPOINT_AGE_SECONDS: '1', CHECKPOINT_INTERVAL_SECONDS: '3600', HEALTH_CACHE_MS: '0' })
  const { lines, logger } = capturedLogger()
  const app = await buildApp({ config, loggerInstance: logger })
  t.teardown(() => app.close())
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const post = async () => (await app.inject({ method: 'POST', url: '/audit-events', headers: ADMIN_AUTH, payload: sampleEvent({ tenant: 'hidden-tenant-name' }) })).statusCode
  t.equal(await post(), 202)
  // The first checkpoint of a tenant is signed at once; the next waits CHECKPOINT_INTERVAL_SECONDS.
  await waitFor(() => db.selectFrom('checkpoints').select('size').executeTakeFirst(), { what: 'first checkpoint' })
  t.equal(await post(), 202)

  const stale = await waitFor(async () => {
    const res = await app.inject({ method: 'GET', url: '/health' })
    return res.json().status === 'degraded' ? res : undefined
  }, { what: 'degraded health' })
  t.notOk(stale.body.includes('hidden-tenant-name'), 'no tenant name in the answer')
  t.match(stale.json(), { checkpoints: { tenants_behind: 1, tenants_overdue: 1, oldest_unsigned_seconds: Number } })
  t.match(stale.json().reasons, [/^checkpoint overdue for 1 tenant: events wait up to \d+ s for a signed checkpoint \(threshold 1 s\)/])
  t.match(lines.find(l => l.msg === 'health: degraded'), { health: { overdue_tenants: ['hidden-tenant-name'] } }, 'the names are in the log')
})
