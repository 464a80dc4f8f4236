import t from 'tap'
import pg from 'pg'
import { buildTestApp, testConfig, waitFor } from '../helper.js'

// Whole-log reads are held in place by a lock on the checkpoints table (each reads it
// early), so "still running" is a fact the test controls, not a matter of timing.
t.test('per-tenant limits on verify and export: 429 with Retry-After beyond, other tenants and health unaffected', async (t) => {
  // Enough read connections that each held read shows as one lock wait.
  const config = await testConfig(t, { READ_POOL_MAX: '6' })
  const app = await buildTestApp(t, config)
  const locker = new pg.Client({ connectionString: config.databaseUrl })
  await locker.connect()
  t.teardown(() => locker.end())
  await locker.query('BEGIN')
  await locker.query('LOCK TABLE checkpoints IN ACCESS EXCLUSIVE MODE')
  let locked = true
  t.teardown(async () => { if (locked) await locker.query('ROLLBACK') })

  // Watched from outside the locking transaction, whose view of pg_stat_activity is frozen.
  const watcher = new pg.Client({ connectionString: config.databaseUrl })
  await watcher.connect()
  t.teardown(() => watcher.end())
  const readsWaiting = async (n: number) => {
    const { rows } = await watcher.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'audit-service-api-reads' AND wait_event_type = 'Lock'")
    return rows[0]!.n >= n ? true : undefined
  }

  // inject() sends nothing until its result is awaited: then() starts it in the background.
  const start = (url: string) => app.inject({ method: 'GET', url }).then(r => r)
  const verifyA = start('/verify?tenant=alpha')
  await waitFor(() => readsWaiting(1), { what: 'the first verify of alpha to be running' })

  const secondA = await app.inject({ method: 'GET', url: '/verify?tenant=alpha' })
  t.equal(secondA.statusCode, 429, 'a second verify of the same tenant is refused')
  t.equal(secondA.json().code, 'AUDIT_ERR_TOO_MANY_READS')
  t.equal(secondA.headers['retry-after'], '5', 'with Retry-After')
  t.match(secondA.json().message, /tenant alpha/)

  const verifyB = start('/verify?tenant=beta')
  const exports = [start('/audit-events/export?tenant=beta')]
  await waitFor(() => readsWaiting(3), { what: 'the verify and an export of beta to be running' })
  exports.push(start('/audit-events/export?tenant=beta'))
  await waitFor(() => readsWaiting(4), { what: 'two exports of beta to be running' })
  const thirdExport = await app.inject({ method: 'GET', url: '/audit-events/export?tenant=beta' })
  t.equal(thirdExport.statusCode, 429, 'a third export of one tenant is refused')
  t.equal(thirdExport.json().code, 'AUDIT_ERR_TOO_MANY_READS')
  t.ok(thirdExport.headers['retry-after'], 'with Retry-After')

  // Four reads run (the default cap over all tenants): a fifth, of a tenant with none, waits its turn.
  const fifth = await app.inject({ method: 'GET', url: '/verify?tenant=gamma' })
  t.equal(fifth.statusCode, 429, 'the cap over all tenants holds')
  t.match(fifth.json().message, /at most 4/)

  const live = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(live.statusCode, 200, 'liveness answers while the reads run')
  const health = await app.inject({ method: 'GET', url: '/health' })
  t.not(health.statusCode, 500, 'readiness answers too (its connections are not the reads\')')

  await locker.query('ROLLBACK')
  locked = false
  const [a, b] = await Promise.all([verifyA, verifyB])
  t.equal(a.statusCode, 200, 'the first verify of alpha completes')
  t.equal(b.statusCode, 200, 'the verify of beta completes')
  for (const e of await Promise.all(exports)) t.equal(e.statusCode, 200, 'the exports complete')

  const again = await app.inject({ method: 'GET', url: '/verify?tenant=alpha' })
  t.equal(again.statusCode, 200, 'slots are given back when reads end')
  const exportAgain = await Promise.all([1, 2].map(() => app.inject({ method: 'GET', url: '/audit-events/export?tenant=beta' })))
  t.same(exportAgain.map(r => r.statusCode), [200, 200], 'export slots are given back when streams end')
})
