import t from 'tap'
import { buildTestApp, sampleEvent, testConfig, waitFor } from '../helper.js'

const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

t.test('keys, scopes and tenants', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  const second = await buildTestApp(t, config) // another API instance sharing Redis and PostgreSQL

  const createKey = async (tenant: string, scopes: string[]) => {
    const res = await app.inject({ method: 'POST', url: '/keys', payload: { tenant, name: `${tenant} ${scopes.join('+')}`, scopes } })
    t.equal(res.statusCode, 201, res.body)
    return res.json() as { key: string, info: { id: string, tenant: string } }
  }
  const acmeWriter = await createKey('acme', ['events:write'])
  const acmeReader = await createKey('acme', ['events:read'])
  const acmeAdmin = await createKey('acme', ['admin'])
  const globexAll = await createKey('globex', ['events:write', 'events:read'])
  t.match(acmeWriter.key, /^ask_[A-Za-z0-9_-]{43}$/, 'at least 32 random bytes')

  const post = (key: string, body: object, url = '/audit-events') => app.inject({ method: 'POST', url, headers: bearer(key), payload: body })
  const get = (key: string, url: string, on = app) => on.inject({ method: 'GET', url, headers: bearer(key) })

  // Public routes need no key.
  for (const url of ['/health', '/health/live', '/.well-known/audit-log-keys', '/docs/json']) {
    t.not((await app.inject({ method: 'GET', url, headers: { authorization: '' } })).statusCode, 401, `${url} is public`)
  }

  // Missing, malformed and unknown keys are 401 on every other route.
  const routes: Array<[string, string]> = [['POST', '/audit-events'], ['POST', '/audit-events/batch'], ['GET', '/audit-events'], ['GET', '/audit-events/0193a1b2-0000-7000-8000-000000000001'], ['GET', '/audit-events/export'], ['GET', '/verify'], ['GET', '/checkpoints/latest'], ['GET', '/checkpoints'], ['POST', '/checkpoints'], ['GET', '/keys'], ['POST', '/keys']]
  for (const [method, url] of routes) {
    for (const headers of [{ authorization: '' }, { authorization: 'Bearer nope' }, { authorization: `Basic ${acmeWriter.key}` }, bearer('ask_' + 'A'.repeat(43))]) {
      const res = await app.inject({ method: method as 'GET', url, headers, ...(method === 'POST' && { payload: {} }) })
      t.equal(res.statusCode, 401, `${method} ${url} with ${JSON.stringify(headers).slice(0, 40)}`)
      t.equal(res.json().code, 'AUDIT_ERR_UNAUTHENTICATED')
    }
  }

  // Scopes: a key without the scope is 403.
  t.equal((await post(acmeReader.key, sampleEvent())).statusCode, 403, 'a read key cannot write')
  t.equal((await get(acmeWriter.key, '/audit-events')).statusCode, 403, 'a write key cannot read')
  t.equal((await get(acmeWriter.key, '/verify')).statusCode, 403)
  t.equal((await get(acmeReader.key, '/keys')).statusCode, 403, 'only admin manages keys')
  t.equal((await app.inject({ method: 'POST', url: '/checkpoints', headers: bearer(acmeReader.key) })).statusCode, 403)

  // The tenant comes from the key; a body naming another tenant is refused.
  const written = await post(acmeWriter.key, sampleEvent())
  t.equal(written.statusCode, 202)
  t.equal((await post(acmeWriter.key, sampleEvent({ tenant: 'acme' }))).statusCode, 202, 'naming its own tenant is fine')
  const spoof = await post(acmeWriter.key, sampleEvent({ tenant: 'globex' }))
  t.equal(spoof.statusCode, 403, 'the tenant in the body cannot override the key')
  const spoofBatch = await post(acmeWriter.key, { events: [sampleEvent(), sampleEvent({ tenant: 'globex' })] }, '/audit-events/batch')
  t.equal(spoofBatch.statusCode, 403)
  t.match(spoofBatch.json().message, /\/events\/1\/tenant/)
  t.equal((await post(globexAll.key, sampleEvent())).statusCode, 202)

  const { startTestWorker, openDatabase, countRows } = await import('../helper.js')
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  // Each tenant's events plus one audit.key.create per key created above (3 for acme, 1 for globex).
  await waitFor(async () => await countRows(db, 'acme') === 2 + 3 && await countRows(db, 'globex') === 1 + 1, { what: 'rows' })

  // Cross-tenant reads are refused on every endpoint: 403 for collections, 404 for single ids.
  const acmeId: string = written.json().id
  for (const url of ['/audit-events?tenant=acme', '/verify?tenant=acme', '/audit-events/export?tenant=acme', '/checkpoints?tenant=acme', '/checkpoints/latest?tenant=acme']) {
    t.equal((await get(globexAll.key, url)).statusCode, 403, `globex cannot read ${url}`)
  }
  t.equal((await get(globexAll.key, `/audit-events/${acmeId}`)).statusCode, 404, 'another tenant\'s event is not found')
  t.equal((await get(acmeReader.key, `/audit-events/${acmeId}`)).statusCode, 200)
  const globexList = (await get(globexAll.key, '/audit-events')).json()
  t.equal(globexList.items.length, 2, 'a key sees only its tenant (its event and its key\'s audit.key.create)')
  t.ok(globexList.items.every((i: { record: { tenant: string } }) => i.record.tenant === 'globex'))
  t.equal((await get(acmeAdmin.key, '/keys?tenant=globex')).statusCode, 403, 'a tenant admin cannot manage another tenant')
  const revokeOther = await app.inject({ method: 'POST', url: `/keys/${globexAll.info.id}/revoke`, headers: bearer(acmeAdmin.key), payload: { reason: 'x' } })
  t.equal(revokeOther.statusCode, 404, 'nor revoke its keys (not found, no leak)')

  // Reading is audited: the export appends audit.export to acme's own chain.
  t.equal((await get(acmeReader.key, '/audit-events/export')).statusCode, 200)
  await waitFor(async () => (await get(acmeReader.key, '/audit-events?action=audit.export')).json().items.length === 1, { what: 'audit.export event' })
  const exported = (await get(acmeReader.key, '/audit-events?action=audit.export')).json().items[0].record
  t.match(exported, { action: 'audit.export', actor: { type: 'api_key', id: acmeReader.info.id }, target: { type: 'audit_log', id: 'acme' }, source: { service: 'audit-service' } })

  // A revoked key stops working at once, on every API instance.
  t.equal((await get(acmeReader.key, '/audit-events', second)).statusCode, 200, 'the other instance has the key cached')
  const revoked = await app.inject({ method: 'POST', url: `/keys/${acmeReader.info.id}/revoke`, headers: bearer(acmeAdmin.key), payload: { reason: 'rotated' } })
  t.equal(revoked.statusCode, 200)
  t.match(revoked.json(), { revoked_reason: 'rotated', revoked_at: String })
  t.equal((await get(acmeReader.key, '/audit-events')).statusCode, 401, 'refused on the instance that revoked it')
  await waitFor(async () => (await get(acmeReader.key, '/audit-events', second)).statusCode === 401, { timeoutMs: 2000, what: 'revocation on the other instance' })
  const list = (await get(acmeAdmin.key, '/keys')).json()
  t.equal(list.keys.length, 3)
  t.notOk(JSON.stringify(list).includes(acmeWriter.key), 'keys are never shown again')
})

t.test('rate limits are per key, shared by all instances, 429 with Retry-After', async t => {
  const config = await testConfig(t, { RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' })
  const app = await buildTestApp(t, config)
  const other = await buildTestApp(t, config)
  const key = (await app.inject({ method: 'POST', url: '/keys', payload: { tenant: 'acme', name: 'r', scopes: ['events:read'] } })).json().key
  const statuses: number[] = []
  for (let i = 0; i < 6; i++) statuses.push((await (i % 2 === 0 ? app : other).inject({ method: 'GET', url: '/audit-events', headers: bearer(key) })).statusCode)
  t.same(statuses, [200, 200, 200, 200, 200, 429], 'the sixth request in the window, across two instances, is refused')
  const limited = await app.inject({ method: 'GET', url: '/audit-events', headers: bearer(key) })
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().code, 'AUDIT_ERR_RATE_LIMITED', 'a code of its own, not AUDIT_ERR_INTERNAL')
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After says when to come back')
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'health is never limited')
})
