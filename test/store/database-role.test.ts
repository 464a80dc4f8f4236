import { randomBytes } from 'node:crypto'
import pg from 'pg'
import t from 'tap'
import { createDatabase } from '../../src/store/database.js'
import { grantServiceRole } from '../../src/store/service-role.js'
import { buildTestApp, createTestDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'

// Migrations run as the owner; the API and the worker as the role `migrate` grants
// (DATABASE_SERVICE_ROLE, what docker-compose.yml uses). That role can do all the service does,
// and cannot change a stored row, switch the append-only triggers off or bring a revoked key back.
t.test('the API and worker run as the least-privilege service role, which cannot bypass the triggers', async t => {
  const url = await createTestDatabase(t)
  const role = `audit_role_${randomBytes(4).toString('hex')}`
  const owner = createDatabase({ connectionString: url, max: 1 })
  t.teardown(async () => {
    await owner.destroy()
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    await client.query(`DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`)
    await client.end()
  })
  await grantServiceRole(owner, role, `pw-${randomBytes(8).toString('hex')}`)
  // Idempotent, as `migrate` runs it on every start.
  await grantServiceRole(owner, role)

  const roleUrl = new URL(url)
  roleUrl.username = role
  const config = await testConfig(t, { DATABASE_URL: roleUrl.toString() })
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)

  const created = await app.inject({ method: 'POST', url: '/keys', payload: { tenant: 'acme', name: 'acme all', scopes: ['admin'] } })
  t.equal(created.statusCode, 201, created.body)
  const { key, info } = created.json()
  const bearer = { authorization: `Bearer ${key}` }
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', headers: bearer, payload: sampleEvent() })).statusCode, 202)
  await waitFor(async () => {
    const res = await app.inject({ method: 'GET', url: '/audit-events?action=user.login', headers: bearer })
    return res.json().items?.length === 1
  }, { what: 'the event stored by the worker' })
  const signed = await app.inject({ method: 'POST', url: '/checkpoints', headers: bearer, payload: {} })
  t.ok(signed.statusCode < 300, `a checkpoint is signed: ${signed.body}`)
  const verify = await app.inject({ method: 'GET', url: '/verify', headers: bearer })
  t.match(verify.json(), { valid: true }, verify.body)
  const revoked = await app.inject({ method: 'POST', url: `/keys/${info.id}/revoke`, payload: { reason: 'test' } })
  t.equal(revoked.statusCode, 200, revoked.body)
  t.equal((await app.inject({ method: 'GET', url: '/verify', headers: bearer })).statusCode, 401, 'the revoked key is refused')

  const client = new pg.Client({ connectionString: roleUrl.toString() })
  await client.connect()
  t.teardown(() => client.end())
  const refused: Array<[string, RegExp]> = [
    ['UPDATE audit_events SET action = \'x\'', /permission denied/],
    ['DELETE FROM audit_events', /permission denied/],
    ['TRUNCATE audit_events', /permission denied/],
    ['DELETE FROM checkpoints', /permission denied/],
    // Migration 0007: the witnesses' cosignatures are appended, never changed.
    ['DELETE FROM checkpoint_cosignatures', /permission denied/],
    ['UPDATE checkpoint_cosignatures SET signature_line = \'x\'', /permission denied/],
    ['UPDATE api_keys SET tenant = \'other\'', /permission denied/],
    // A superuser could switch triggers off for its session, the owner for everyone.
    ['SET session_replication_role = replica', /permission denied/],
    ['ALTER TABLE audit_events DISABLE TRIGGER ALL', /must be owner/],
    ['ALTER TABLE checkpoints DISABLE TRIGGER checkpoints_no_update_delete', /must be owner/],
    ['DROP TRIGGER audit_events_no_update_delete ON audit_events', /must be owner/],
    // Migration 0005: the revocation columns may be written once, never undone.
    [`UPDATE api_keys SET revoked_at = NULL, revoked_reason = NULL WHERE id = '${info.id}'`, /revocation cannot be changed or undone/],
    [`UPDATE api_keys SET revoked_at = now() - interval '1 day' WHERE id = '${info.id}'`, /revocation cannot be changed or undone/],
    // Migration 0008: the record of signing keys is never rewritten; only the last use moves on.
    ['DELETE FROM log_keys', /permission denied/],
    ['UPDATE log_keys SET legacy_name = \'x\'', /permission denied/],
    ['UPDATE log_keys SET last_signed_at = last_signed_at - interval \'1 day\'', /only last_signed_at may move forward/]
  ]
  for (const [statement, message] of refused) await t.rejects(client.query(statement), { message }, statement)
  // What the worker's witnessing writes (migration 0007), it may write.
  await client.query('INSERT INTO witness_sizes (tenant, witness, size) VALUES ($1, $2, 1)', ['default', 'w+00000000'])
  await client.query('UPDATE witness_sizes SET size = 2 WHERE tenant = $1', ['default'])
  const { rows: [cp] } = await client.query('SELECT tenant, size FROM checkpoints ORDER BY size DESC LIMIT 1')
  await client.query('INSERT INTO checkpoint_cosignatures (tenant, size, witness, signature_line, cosigned_at) VALUES ($1, $2, $3, $4, now())', [cp.tenant, cp.size, 'w+00000000', '— w AAAA'])
  t.equal((await client.query('UPDATE log_keys SET last_signed_at = now() + interval \'1 second\'')).rowCount, 1, 'the signing key\'s last use moves forward')
})

t.test('the owner cannot un-revoke a key either (migration 0005)', async t => {
  const url = await createTestDatabase(t)
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  t.teardown(() => client.end())
  const { rows: [row] } = await client.query(`INSERT INTO api_keys (id, tenant, name, scopes, key_hash, key_prefix, revoked_at, revoked_reason)
    VALUES ('01a23b30-09a5-77a1-8836-ee235af3025a', 'acme', 'k', '{admin}', decode(repeat('ab', 32), 'hex'), 'ask_x', NULL, NULL) RETURNING id`)
  await client.query('UPDATE api_keys SET revoked_at = now(), revoked_reason = $2 WHERE id = $1', [row.id, 'leaked'])
  await t.rejects(client.query('UPDATE api_keys SET revoked_at = NULL WHERE id = $1', [row.id]), { message: /revocation cannot be changed or undone/ })
  await t.rejects(client.query('UPDATE api_keys SET revoked_reason = $2 WHERE id = $1', [row.id, 'never mind']), { message: /revocation cannot be changed or undone/ })
  await t.rejects(client.query('UPDATE api_keys SET scopes = \'{admin,events:read}\' WHERE id = $1', [row.id]), { message: /revocation cannot|only revoked_at/ })
})

t.test('the service role may not be the owner or a superuser', async t => {
  const url = await createTestDatabase(t)
  const owner = createDatabase({ connectionString: url, max: 1 })
  t.teardown(() => owner.destroy())
  await t.rejects(grantServiceRole(owner, 'postgres'), { message: /owns the tables|superuser/ })
  await t.rejects(grantServiceRole(owner, 'Bad-Name'), { message: /must match/ })
})
