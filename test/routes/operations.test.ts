import { randomUUID } from 'node:crypto'
import t from 'tap'
import { compileScrubber } from '../../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../../src/ingest/prepare-event.js'
import { APPEND_JOB_NAME, toJobEvent } from '../../src/queue/append-job.js'
import type { AuditEventInput } from '../../src/schemas/audit-event.js'
import { buildTestApp, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'

t.test('GET /metrics in Prometheus format, on the API port with the scrape token', async t => {
  const config = await testConfig(t, { METRICS_TOKEN: 'scrape-secret' })
  const app = await buildTestApp(t, config)
  await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent() })
  const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-secret' } })
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/plain/)
  t.match(res.body, /audit_http_requests_total\{route="\/audit-events",method="POST",status="202"\} 1/)
  t.match(res.body, /audit_queue_jobs\{state="waiting"\} 1/)
  t.match(res.body, /audit_events_accepted_total\{source="client"\} 1/)
  t.match(res.body, /audit_http_request_duration_seconds_bucket/)
  t.equal((await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: '' } })).statusCode, 401)
})

t.test('health reports dead letters and unsigned events, and says degraded past the thresholds', async t => {
  // Reads /health after each change: every request takes a fresh reading.
  const config = await testConfig(t, { HEALTH_MAX_CHECKPOINT_AGE_SECONDS: '1', CHECKPOINT_INTERVAL_SECONDS: '3600', HEALTH_CACHE_MS: '0' })
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const id = randomUUID()
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ id }) })).statusCode, 202)
  // The first checkpoint of a tenant is signed at once; the next waits CHECKPOINT_INTERVAL_SECONDS.
  await waitFor(() => db.selectFrom('checkpoints').select('size').executeTakeFirst(), { what: 'first checkpoint' })
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent() })).statusCode, 202)

  // Events not covered by a checkpoint for longer than the threshold: degraded, still 200.
  const stale = await waitFor(async () => {
    const res = await app.inject({ method: 'GET', url: '/health' })
    return res.json().status === 'degraded' ? res : undefined
  }, { what: 'degraded health' })
  t.equal(stale.statusCode, 200)
  t.match(stale.json().checkpoints, { tenants_behind: 1, tenants_overdue: 1, oldest_unsigned_seconds: Number })
  t.match(stale.json().reasons, [/checkpoint overdue for 1 tenant/])
  t.equal((await app.inject({ method: 'POST', url: '/checkpoints' })).statusCode, 201)
  t.same((await app.inject({ method: 'GET', url: '/health' })).json().checkpoints, { tenants_behind: 0, tenants_overdue: 0, oldest_unsigned_seconds: null })

  // A conflicting rewrite past the API's memory is refused by the API (the stored record
  // answers); one that reaches the queue anyway is a dead letter, reported, then discarded with
  // a reason.
  await app.redis.del(`${config.queuePrefix}:idem:default:${id}`)
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ id, outcome: 'failure' }) })).statusCode, 409)
  const rewrite = prepareEvent(sampleEvent({ id, outcome: 'failure' }) as AuditEventInput, { tenant: 'default', requestId: 'r', receivedAt: new Date().toISOString(), scrub: compileScrubber() })
  await app.eventQueue.add(APPEND_JOB_NAME, { events: [toJobEvent(rewrite)] })
  const health = await waitFor(async () => {
    const body = (await app.inject({ method: 'GET', url: '/health' })).json()
    return body.queue?.failed === 1 ? body : undefined
  }, { what: 'a dead letter in health' })
  t.equal(health.status, 'degraded')
  t.match(health.reasons, [/1 dead-lettered jobs/])

  const list = (await app.inject({ method: 'GET', url: '/dead-letters' })).json()
  t.equal(list.items.length, 1)
  t.match(list.items[0], { failed_reason: /already stored at seq 1 with different content/, events: [{ id, tenant: 'default', action: 'user.login' }] })
  const jobId = list.items[0].job_id

  const acmeAdmin = (await app.inject({ method: 'POST', url: '/keys', payload: { tenant: 'acme', name: 'a', scopes: ['admin'] } })).json().key
  t.same((await app.inject({ method: 'GET', url: '/dead-letters', headers: { authorization: `Bearer ${acmeAdmin}` } })).json().items, [], 'other tenants do not see it')
  t.equal((await app.inject({ method: 'POST', url: `/dead-letters/${jobId}/retry`, headers: { authorization: `Bearer ${acmeAdmin}` } })).statusCode, 404)

  t.equal((await app.inject({ method: 'POST', url: `/dead-letters/${jobId}/retry` })).statusCode, 202)
  await waitFor(async () => (await app.inject({ method: 'GET', url: '/dead-letters' })).json().items.length === 1, { what: 'failed again after retry' })
  const discarded = await app.inject({ method: 'POST', url: `/dead-letters/${jobId}/discard`, payload: { reason: 'producer reused an id' } })
  t.equal(discarded.statusCode, 200)
  t.same((await app.inject({ method: 'GET', url: '/dead-letters' })).json().items, [])
  const audit = await waitFor(async () => (await app.inject({ method: 'GET', url: '/audit-events?action=audit.dead_letter.discard' })).json().items[0], { what: 'discard audited' })
  t.match(audit.record, { actor: { type: 'api_key', id: 'bootstrap-admin' }, metadata: { job_id: jobId, reason: 'producer reused an id', event_ids: [id] } })
})
