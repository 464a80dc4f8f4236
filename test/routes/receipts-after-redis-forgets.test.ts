import { Redis } from 'ioredis'
import t from 'tap'
import { parseVerifierKey } from '../../src/core/note/index.js'
import { verifyReceipt } from '../../src/proofs/verify-receipt.js'
import { buildTestApp, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'

// After the idempotency key's lifetime (24 h), or after Redis lost data, a repeated id used to
// get a new received_at and a new signed receipt for a record the worker then dropped as a
// duplicate (or dead-lettered as a conflict): a receipt matching no stored record. Ids Redis
// does not remember are now looked up in PostgreSQL before they are answered.

t.test('a repeat of a stored id that Redis forgot is answered from the stored record', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const redis = new Redis(config.redisUrl)
  t.teardown(() => redis.quit())
  const key = parseVerifierKey((await app.inject({ method: 'GET', url: '/.well-known/audit-log-keys?tenant=default' })).json().keys[0].verifier_key)

  const id = '0193a1b2-0000-7000-8000-0000000000c1'
  const event = sampleEvent({ id, metadata: { password: 'hunter2' } })
  const first = await app.inject({ method: 'POST', url: '/audit-events', payload: event })
  t.equal(first.statusCode, 202)
  t.equal(first.json().duplicate, false)
  const row = await waitFor(() => db.selectFrom('audit_events').select('canonical').where('id', '=', id).executeTakeFirst(), { what: 'the stored row' })
  const stored = JSON.parse(row.canonical.toString('utf8')) as Record<string, unknown>

  // The key expires (or Redis loses it).
  t.equal(await redis.del(`${config.queuePrefix}:idem:default:${id}`), 1)

  const again = await app.inject({ method: 'POST', url: '/audit-events', payload: event })
  t.equal(again.statusCode, 202, again.body.slice(0, 300))
  const answer = again.json()
  t.equal(answer.duplicate, true, 'a duplicate, not a new event')
  t.equal(answer.received_at, first.json().received_at, 'with the ORIGINAL received_at')
  t.equal(answer.record_sha256, first.json().record_sha256)
  t.match(verifyReceipt(answer.receipt, { verifiers: [key], record: stored }), { id, record_matches: true }, 'a receipt that verifies against the stored record')
  t.match(await redis.get(`${config.queuePrefix}:idem:default:${id}`), new RegExp(` ${first.json().received_at} `), 'remembered again in Redis')

  // In a batch, with an id never seen: only the stored one is a duplicate.
  await redis.del(`${config.queuePrefix}:idem:default:${id}`)
  const fresh = '0193a1b2-0000-7000-8000-0000000000c2'
  const batch = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: [event, sampleEvent({ id: fresh })] } })
  t.equal(batch.statusCode, 202)
  t.same(batch.json().items.map((i: { duplicate: boolean }) => i.duplicate), [true, false])
  t.equal(batch.json().items[0].received_at, first.json().received_at)

  // Other content under the stored id: 409, as while Redis remembered it.
  await redis.del(`${config.queuePrefix}:idem:default:${id}`)
  const other = await app.inject({ method: 'POST', url: '/audit-events', payload: { ...event, action: 'user.logout' } })
  t.equal(other.statusCode, 409, other.body.slice(0, 300))
  t.equal(other.json().code, 'AUDIT_ERR_ID_CONFLICT')

  // Events without an id are unaffected.
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent() })).json().duplicate, false)
})
