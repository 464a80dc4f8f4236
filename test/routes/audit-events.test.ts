import t from 'tap'
import { compileScrubber } from '../../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../../src/ingest/prepare-event.js'
import { APPEND_JOB_NAME, describeJobEvent, toJobEvent, type AppendJobData } from '../../src/queue/append-job.js'
import type { AuditEventInput } from '../../src/schemas/audit-event.js'
import { buildTestApp, countRows, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'
import { recomputeChain } from '../chain-check.js'

t.test('an event goes from POST to a verified row', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)

  const res = await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent(), headers: { 'x-request-id': 'req-42' } })
  t.equal(res.statusCode, 202, res.body)
  const body = res.json()
  t.match(body, { id: /^[0-9a-f-]{36}$/, received_at: String, status: 'accepted', duplicate: false })
  t.equal(res.headers['x-request-id'], 'req-42')

  const row = await waitFor(() => db.selectFrom('audit_events').selectAll().where('id', '=', body.id).executeTakeFirst(), { what: 'stored row' })
  t.equal(row.seq, 1)
  t.equal(row.tenant, 'default')
  t.equal(row.request_id, 'req-42', 'request id from the header fills request_id')
  const record = JSON.parse(row.canonical.toString('utf8'))
  t.same(record, {
    ...sampleEvent(),
    v: 1,
    id: body.id,
    tenant: 'default',
    seq: 1,
    received_at: body.received_at,
    redactions: [],
    request_id: 'req-42'
  })
  const chain = await recomputeChain(db)
  t.same(chain.problems, [])
  t.equal(chain.count, 1)
})

t.test('a batch is all or nothing and lands in order', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)

  const bad = await app.inject({
    method: 'POST',
    url: '/audit-events/batch',
    payload: { events: [sampleEvent(), sampleEvent({ actor: { type: 'user' } }), sampleEvent()] }
  })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().errors, [{ field: '/events/1/actor/id', reason: /required/ }])

  const events = Array.from({ length: 250 }, (_, i) => sampleEvent({ action: 'doc.edit', target: { type: 'doc', id: `d${i}` } }))
  const ok = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events } })
  t.equal(ok.statusCode, 202, ok.body)
  t.equal(ok.json().accepted, 250)
  await waitFor(async () => await countRows(db) === 250, { what: '250 rows' })
  const chain = await recomputeChain(db)
  t.same(chain.problems, [])
  t.equal(chain.distinctIds, 250)
})

t.test('idempotency: same id and content is one row; other content is a 409', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const id = '0193a1b2-0000-7000-8000-000000000001'

  const first = await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ id }) })
  t.equal(first.statusCode, 202)
  t.equal(first.json().duplicate, false)
  const again = await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ id }) })
  t.equal(again.statusCode, 202)
  t.equal(again.json().duplicate, true)
  t.equal(again.json().received_at, first.json().received_at, 'the duplicate answers with the original receipt time')

  const changed = await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ id, outcome: 'failure' }) })
  t.equal(changed.statusCode, 409)
  t.equal(changed.json().code, 'AUDIT_ERR_ID_CONFLICT')

  await waitFor(async () => await countRows(db) === 1, { what: 'one row' })

  // Past the API's memory (key expired), the stored record answers: still a 409, no receipt.
  await app.redis.del(`${config.queuePrefix}:idem:default:${id}`)
  const late = await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ id, outcome: 'failure' }) })
  t.equal(late.statusCode, 409)
  // Should such an event reach the queue anyway, the worker refuses to overwrite: dead letter.
  const sneaked = prepareEvent(sampleEvent({ id, outcome: 'failure' }) as AuditEventInput, { tenant: 'default', requestId: 'r', receivedAt: new Date().toISOString(), scrub: compileScrubber() })
  await app.eventQueue.add(APPEND_JOB_NAME, { events: [toJobEvent(sneaked)] })
  const failed = await waitFor(async () => (await app.eventQueue.getFailed())[0], { what: 'dead-lettered job' })
  t.match(failed.failedReason, /already stored at seq 1 with different content/)
  t.equal(await countRows(db), 1)
  const row = await db.selectFrom('audit_events').select('record').where('id', '=', id).executeTakeFirstOrThrow()
  t.equal((row.record as { outcome: string }).outcome, 'success', 'the stored event was not overwritten')
})

t.test('idempotency: first deliveries of one id racing through two API instances enqueue it once', async t => {
  // Each request flushed on its own, so the two instances' lookups and enqueues interleave.
  const config = await testConfig(t, { INGEST_BATCH_WINDOW_MS: '0' })
  const apps = [await buildTestApp(t, config), await buildTestApp(t, config)]
  const ids = Array.from({ length: 40 }, (_, i) => `0193a1b2-0000-7000-8000-${String(i).padStart(12, '0')}`)
  // Each id goes to both instances at once, twice over: four first deliveries in flight.
  const answers = await Promise.all(ids.flatMap(id => [...apps, ...apps].map(async app => {
    const res = await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ id }) })
    return { id, res }
  })))
  const queued = (await apps[0]!.eventQueue.getWaiting(0, -1)).flatMap(job => (job.data as AppendJobData).events.map(e => describeJobEvent(e).id))
  for (const id of ids) {
    const mine = answers.filter(a => a.id === id).map(a => a.res)
    const fresh = mine.filter(r => r.statusCode === 202 && r.json().duplicate === false)
    t.equal(fresh.length, 1, `${id}: answered as new exactly once`)
    for (const r of mine) {
      if (r.statusCode === 202) {
        t.equal(r.json().record_sha256, fresh[0]!.json().record_sha256, `${id}: every 202 speaks for the one enqueued record`)
      } else {
        t.equal(r.statusCode, 409, r.body)
        t.equal(r.json().code, 'AUDIT_ERR_ID_IN_PROGRESS')
        t.equal(r.headers['retry-after'], '1')
      }
    }
    t.equal(queued.filter(q => q === id).length, 1, `${id}: enqueued once`)
  }
})

t.test('idempotency: an id another request is still enqueueing is a 409 to retry, then accepted', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  const id = '0193a1b2-0000-7000-8000-0000000000aa'
  const key = `${config.queuePrefix}:idem:default:${id}`
  // What another instance leaves while its enqueue of this id is in flight.
  await app.redis.set(key, 'pending', 'PX', 30_000)
  const busy = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: [sampleEvent(), sampleEvent({ id })] } })
  t.equal(busy.statusCode, 409, busy.body)
  t.match(busy.json(), { code: 'AUDIT_ERR_ID_IN_PROGRESS', message: new RegExp(`/1/id ${id}`) })
  t.equal(busy.headers['retry-after'], '1')
  t.equal(await app.eventQueue.getWaitingCount(), 0, 'nothing of the refused batch was enqueued')
  t.same(await app.redis.keys(`${config.queuePrefix}:idem:*`), [key], 'the refused batch left no claim behind (only the other request\'s)')

  await app.redis.del(key) // the other instance's enqueue failed and freed the id
  const retry = await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ id }) })
  t.equal(retry.statusCode, 202, retry.body)
  t.equal(retry.json().duplicate, false)
  const [digest, receivedAt, recordSha256, ...rest] = (await app.redis.get(key) ?? '').split(' ')
  t.match(digest, /^[0-9a-f]{64}$/, 'the claim became the remembered value: content digest,')
  t.equal(receivedAt, retry.json().received_at, 'received_at')
  t.equal(recordSha256, retry.json().record_sha256, 'and record_sha256')
  t.same(rest, [])
  t.ok(await app.redis.pttl(key) > 30_000, 'remembered for the idempotency TTL, not the reservation\'s')
})

t.test('secrets are scrubbed at any depth before Redis and PostgreSQL', async t => {
  const config = await testConfig(t, { SCRUB_EXTRA_KEYS: 'favourite_colour' })
  const app = await buildTestApp(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'
  const event = sampleEvent({
    actor: { type: 'user', id: 'u_1', name: `Bearer ${jwt}` },
    metadata: {
      level1: { level2: { level3: { password: 'hunter2', list: [{ api_key: 'k-123' }, 'postgres://app:s3cret@db/app'] } } },
      favourite_colour: 'blue',
      harmless: 'hello'
    }
  })
  const res = await app.inject({ method: 'POST', url: '/audit-events', payload: event })
  t.equal(res.statusCode, 202)

  // Before any worker runs, the job sits in Redis: it must hold no secret.
  const [job] = await app.eventQueue.getWaiting()
  const queued = JSON.stringify(job!.data)
  for (const secret of ['hunter2', 'k-123', 's3cret', jwt, 'blue']) t.notOk(queued.includes(secret), `${secret} not in Redis`)

  await startTestWorker(t, config)
  const row = await waitFor(() => db.selectFrom('audit_events').selectAll().executeTakeFirst(), { what: 'row' })
  const stored = row.canonical.toString('utf8') + JSON.stringify(row.record)
  for (const secret of ['hunter2', 'k-123', 's3cret', jwt, 'blue']) t.notOk(stored.includes(secret), `${secret} not in PostgreSQL`)
  const record = JSON.parse(row.canonical.toString('utf8'))
  t.same(record.redactions, [
    '/actor/name',
    '/metadata/level1/level2/level3/password',
    '/metadata/level1/level2/level3/list/0/api_key',
    '/metadata/level1/level2/level3/list/1',
    '/metadata/favourite_colour'
  ])
  t.equal(record.metadata.harmless, 'hello')
})
