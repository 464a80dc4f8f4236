import t from 'tap'
import { buildTestApp, CLOSED_PORT, openDatabase, runCli, startTestWorker, testConfig, testEnv, waitFor } from '../helper.js'

interface KeyEvent { action: string, actor: { type: string, id: string }, target: { type: string, id: string }, metadata: Record<string, unknown> }

const keyEvents = async (db: ReturnType<typeof openDatabase>, tenant: string) => {
  const rows = await db.selectFrom('audit_events').select(['canonical', 'record']).where('tenant', '=', tenant).where('action', 'like', 'audit.key.%').orderBy('seq').execute()
  return { events: rows.map(r => r.record as KeyEvent), canonical: rows.map(r => r.canonical.toString('utf8')).join('\n') }
}

// Who could use the log is part of the log: each key change is on its tenant's chain, with the
// admin key that made it, and never the key itself.
t.test('POST /keys and revoke append audit.key.create and audit.key.revoke to the tenant\'s chain', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)

  const admin = (await app.inject({ method: 'POST', url: '/keys', payload: { tenant: 'acme', name: 'acme admin', scopes: ['admin'] } })).json()
  const bearer = { authorization: `Bearer ${admin.key}` }
  const created = await app.inject({ method: 'POST', url: '/keys', headers: bearer, payload: { name: 'billing', scopes: ['events:write', 'events:read'] } })
  t.equal(created.statusCode, 201)
  const key = created.json()
  const revoked = await app.inject({ method: 'POST', url: `/keys/${key.info.id}/revoke`, headers: bearer, payload: { reason: 'leaked in a CI log' } })
  t.equal(revoked.statusCode, 200)

  const { events, canonical } = await waitFor(async () => { const found = await keyEvents(db, 'acme'); return found.events.length === 3 ? found : undefined }, { what: 'three key events on acme\'s chain' })
  t.match(events, [
    { action: 'audit.key.create', actor: { type: 'api_key', id: 'bootstrap-admin' }, target: { type: 'api_key', id: admin.info.id }, metadata: { name: 'acme admin', scopes: ['admin'] } },
    { action: 'audit.key.create', actor: { type: 'api_key', id: admin.info.id }, target: { type: 'api_key', id: key.info.id }, metadata: { name: 'billing', scopes: ['events:write', 'events:read'] } },
    { action: 'audit.key.revoke', actor: { type: 'api_key', id: admin.info.id }, target: { type: 'api_key', id: key.info.id }, metadata: { name: 'billing', reason: 'leaked in a CI log' } }
  ])
  for (const secret of [admin.key, key.key, admin.key.slice(4), key.key.slice(4)]) t.notOk(canonical.includes(secret), 'the key is never in the chain')
})

t.test('a key change whose event cannot be queued is refused (503) and leaves no trace in the key table', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  const existing = (await app.inject({ method: 'POST', url: '/keys', payload: { tenant: 'acme', name: 'kept', scopes: ['events:read'] } })).json()
  // Same database, Redis unreachable.
  const cut = await buildTestApp(t, await testConfig(t, { DATABASE_URL: config.databaseUrl, REDIS_URL: `redis://127.0.0.1:${CLOSED_PORT}` }))
  const db = openDatabase(t, config.databaseUrl)

  const create = await cut.inject({ method: 'POST', url: '/keys', payload: { tenant: 'acme', name: 'unrecorded', scopes: ['admin'] } })
  t.equal(create.statusCode, 503, create.body)
  t.equal(create.json().code, 'AUDIT_ERR_QUEUE_UNAVAILABLE')
  t.same((await db.selectFrom('api_keys').select('name').where('tenant', '=', 'acme').execute()).map(r => r.name), ['kept'], 'the key was not created')

  const revoke = await cut.inject({ method: 'POST', url: `/keys/${existing.info.id}/revoke`, payload: { reason: 'x' } })
  t.equal(revoke.statusCode, 503, revoke.body)
  const row = await db.selectFrom('api_keys').select('revoked_at').where('id', '=', existing.info.id).executeTakeFirstOrThrow()
  t.equal(row.revoked_at, null, 'the key is still active: its revocation would not be on the chain')
  t.equal((await app.inject({ method: 'GET', url: '/verify?tenant=acme', headers: { authorization: `Bearer ${existing.key}` } })).statusCode, 200)
})

t.test('the CLI puts its key changes on the chain too, and changes nothing when it cannot', async t => {
  const config = await testConfig(t)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const env = testEnv(config)

  const created = await runCli('keys', ['create', '--tenant', 'globex', '--scopes', 'events:read', '--name', 'auditor'], env)
  t.equal(created.status, 0, created.stderr)
  const key = created.stdout.trim()
  const id = /created key ([0-9a-f-]{36})/.exec(created.stderr)?.[1]
  t.ok(id, created.stderr)
  const revoked = await runCli('keys', ['revoke', id!, '--reason', 'rotated'], env)
  t.equal(revoked.status, 0, revoked.stderr)

  const { events, canonical } = await waitFor(async () => { const found = await keyEvents(db, 'globex'); return found.events.length === 2 ? found : undefined }, { what: 'two key events on globex\'s chain' })
  t.match(events, [
    { action: 'audit.key.create', actor: { type: 'operator' }, target: { type: 'api_key', id }, metadata: { name: 'auditor', scopes: ['events:read'] } },
    { action: 'audit.key.revoke', actor: { type: 'operator' }, target: { type: 'api_key', id }, metadata: { reason: 'rotated' } }
  ])
  t.notOk(canonical.includes(key) || canonical.includes(key.slice(4)), 'the key is never in the chain')

  const down = await runCli('keys', ['create', '--tenant', 'globex', '--scopes', 'admin', '--name', 'unrecorded'], { ...env, REDIS_URL: `redis://127.0.0.1:${CLOSED_PORT}` })
  t.equal(down.status, 1, down.stderr)
  t.match(down.stderr, /nothing changed/)
  t.equal(down.stdout, '', 'no key printed')
  t.same((await db.selectFrom('api_keys').select('name').where('tenant', '=', 'globex').execute()).map(r => r.name), ['auditor'])
})
