import t from 'tap'
import { ADMIN_AUTH, buildTestApp, holdWholeLogReads, testConfig, waitFor } from '../helper.js'

// Whole-log reads are held in place (holdWholeLogReads in test/helper.ts), so "still running"
// is a fact the test controls, not a matter of timing.
t.test('per-tenant limits on verify and export: 429 with Retry-After beyond, other tenants and health unaffected', async (t) => {
  // Enough read connections that each held read shows as one lock wait.
  const config = await testConfig(t, { READ_POOL_MAX: '6' })
  const app = await buildTestApp(t, config)
  const { waiting: readsWaiting, release } = await holdWholeLogReads(t, config.databaseUrl)

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

  await release()
  const [a, b] = await Promise.all([verifyA, verifyB])
  t.equal(a.statusCode, 200, 'the first verify of alpha completes')
  t.equal(b.statusCode, 200, 'the verify of beta completes')
  for (const e of await Promise.all(exports)) t.equal(e.statusCode, 200, 'the exports complete')

  const again = await app.inject({ method: 'GET', url: '/verify?tenant=alpha' })
  t.equal(again.statusCode, 200, 'slots are given back when reads end')
  const exportAgain = await Promise.all([1, 2].map(() => app.inject({ method: 'GET', url: '/audit-events/export?tenant=beta' })))
  t.same(exportAgain.map(r => r.statusCode), [200, 200], 'export slots are given back when streams end')
})

t.test('an export whose client goes away gives its slot back', async (t) => {
  const config = await testConfig(t, { READ_POOL_MAX: '6' })
  const app = await buildTestApp(t, config)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/audit-events/export?tenant=alpha`
  const { release: releaseReads } = await holdWholeLogReads(t, config.databaseUrl)

  // Both exports send their header line, then wait on the lock; their clients hang up.
  const aborts = [new AbortController(), new AbortController()]
  for (const abort of aborts) {
    const res = await fetch(url, { headers: ADMIN_AUTH, signal: abort.signal })
    t.equal(res.status, 200)
  }
  const third = await fetch(url, { headers: ADMIN_AUTH })
  t.equal(third.status, 429, 'both slots are taken')
  await third.arrayBuffer()
  for (const abort of aborts) abort.abort()
  await waitFor(async () => {
    const res = await fetch(url, { headers: ADMIN_AUTH, signal: AbortSignal.timeout(200) }).catch(() => undefined)
    if (res === undefined) return undefined
    res.body?.cancel().catch(() => {})
    return res.status === 200 ? true : undefined
  }, { what: 'an export slot to be given back after its client left' })
  await releaseReads()
  t.pass('a new export is admitted while the abandoned ones still wait on the lock')
})
