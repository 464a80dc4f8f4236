import t from 'tap'
import { buildTestApp, CLOSED_PORT, testConfig } from '../helper.js'

t.test('ok when PostgreSQL and Redis answer', async t => {
  const app = await buildTestApp(t, await testConfig(t))
  const res = await app.inject({ method: 'GET', url: '/health' })
  t.equal(res.statusCode, 200)
  t.match(res.json(), {
    status: 'ok',
    reasons: [],
    checks: { postgres: { status: 'up', latency_ms: Number }, redis: { status: 'up', latency_ms: Number } },
    queue: { waiting: 0, active: 0, failed: 0 }
  })
})

t.test('degraded (still 200) when PostgreSQL is unreachable: Redis buffers events', async t => {
  const config = await testConfig(t, { DATABASE_URL: `postgres://postgres@127.0.0.1:${CLOSED_PORT}/nowhere` })
  const app = await buildTestApp(t, config)
  const res = await app.inject({ method: 'GET', url: '/health' })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { status: 'degraded', checks: { postgres: { status: 'down', error: String }, redis: { status: 'up' } } })
  t.match(res.json().reasons, [/postgres unreachable/])

  const post = await app.inject({
    method: 'POST',
    url: '/audit-events',
    payload: { occurred_at: '2026-01-01T00:00:00Z', action: 'a.b', actor: { type: 'user', id: '1' } }
  })
  t.equal(post.statusCode, 202, 'events are still accepted')
})

t.test('503 with a reason when Redis is unreachable, and ingest is refused with Retry-After', async t => {
  const config = await testConfig(t, { REDIS_URL: `redis://127.0.0.1:${CLOSED_PORT}`, HEALTH_TIMEOUT_MS: '500' })
  const app = await buildTestApp(t, config)
  // Start-up waits up to the deadline for Redis's connection (plugins/queue.ts): not timed here.
  await app.ready()
  const started = Date.now()
  const res = await app.inject({ method: 'GET', url: '/health' })
  t.ok(Date.now() - started < 2500, 'the check does not hang on a dead dependency (500 ms deadline)')
  t.equal(res.statusCode, 503)
  t.match(res.json(), { status: 'unavailable', checks: { redis: { status: 'down' }, postgres: { status: 'up' } }, queue: null })

  const post = await app.inject({
    method: 'POST',
    url: '/audit-events',
    payload: { occurred_at: '2026-01-01T00:00:00Z', action: 'a.b', actor: { type: 'user', id: '1' } }
  })
  t.equal(post.statusCode, 503, 'never a 202 without Redis')
  t.equal(post.headers['retry-after'], '2')
  t.equal(post.json().code, 'AUDIT_ERR_QUEUE_UNAVAILABLE')
})

t.test('liveness does no I/O', async t => {
  const config = await testConfig(t, { REDIS_URL: `redis://127.0.0.1:${CLOSED_PORT}`, DATABASE_URL: `postgres://postgres@127.0.0.1:${CLOSED_PORT}/x` })
  const app = await buildTestApp(t, config)
  const res = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok' })
})

t.test('503 when the queue backlog is over its bound', async t => {
  const config = await testConfig(t, { QUEUE_MAX_WAITING: '2', INGEST_BATCH_WINDOW_MS: '0' })
  const app = await buildTestApp(t, config)
  const payload = { occurred_at: '2026-01-01T00:00:00Z', action: 'a.b', actor: { type: 'user', id: '1' } }
  for (let i = 0; i < 2; i++) t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload })).statusCode, 202)
  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.statusCode, 503)
  t.match(health.json().reasons, [/backlog/])
  // The API samples the backlog off the request path; wait until it has seen the two jobs.
  const { waitFor } = await import('../helper.js')
  await waitFor(() => app.producer.waiting >= 2, { what: 'backlog sample' })
  const refused = await app.inject({ method: 'POST', url: '/audit-events', payload })
  t.equal(refused.statusCode, 503)
  t.equal(refused.json().code, 'AUDIT_ERR_BACKLOG_FULL')
  t.equal(refused.headers['retry-after'], '2')
})
