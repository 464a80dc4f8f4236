import t from 'tap'
import { Value } from 'typebox/value'
import { answerHealthProbe, type PostedReading } from '../../src/health/answer-health-probe.js'
import { HealthResponse } from '../../src/schemas/health.js'

const body = JSON.stringify({ status: 'ok', reasons: [], checks: { postgres: { status: 'up', latency_ms: 1 }, redis: { status: 'up', latency_ms: 1 } }, queue: null, checkpoints: [] })
const reading: PostedReading = { statusCode: 200, body, at: 10_000 }
const get = (url: string) => ({ method: 'GET', url })

t.test('a fresh reading is served as posted, whatever its status', async t => {
  t.same(answerHealthProbe(get('/health'), reading, 12_000, 3000), { statusCode: 200, body })
  t.same(answerHealthProbe(get('/health?probe=lb'), reading, 13_000, 3000), { statusCode: 200, body }, 'the query string is ignored; exactly at the bound is still fresh')
  const unavailable = { statusCode: 503, body: '{"status":"unavailable"}', at: 10_000 }
  t.same(answerHealthProbe(get('/health'), unavailable, 10_001, 3000), { statusCode: 503, body: '{"status":"unavailable"}' })
  t.same(answerHealthProbe(get('/health/live'), reading, 12_000, 3000), { statusCode: 200, body: '{"status":"ok"}' })
  t.same(answerHealthProbe({ method: 'HEAD', url: '/health' }, reading, 12_000, 3000), { statusCode: 200, body }, 'HEAD as GET')
})

t.test('a stale reading: both paths 503, naming how long the main loop has been silent', async t => {
  const health = answerHealthProbe(get('/health'), reading, 13_001, 3000)
  t.equal(health.statusCode, 503)
  const json = JSON.parse(health.body)
  t.ok(Value.Check(HealthResponse, json), 'valid against HealthResponse')
  t.equal(json.status, 'unavailable')
  t.same(json.reasons, ["the API's event loop has not reported for 3001 ms (limit 3000 ms): it is blocked or overloaded"])
  t.match(json, { checks: { postgres: { status: 'down', error: /^not checked: / }, redis: { status: 'down' } }, queue: null, checkpoints: null })

  const live = answerHealthProbe(get('/health/live'), reading, 20_000, 3000)
  t.equal(live.statusCode, 503)
  t.same(JSON.parse(live.body), { status: 'unavailable', reasons: ["the API's event loop has not reported for 10000 ms (limit 3000 ms): it is blocked or overloaded"] })
})

t.test('before the first reading: 503 starting', async t => {
  const health = answerHealthProbe(get('/health'), undefined, 0, 3000)
  t.equal(health.statusCode, 503)
  const json = JSON.parse(health.body)
  t.ok(Value.Check(HealthResponse, json), 'valid against HealthResponse')
  t.match(json, { status: 'unavailable', reasons: [/^starting/] })
  const live = answerHealthProbe(get('/health/live'), undefined, 0, 3000)
  t.equal(live.statusCode, 503)
  t.match(JSON.parse(live.body), { status: 'unavailable', reasons: [/^starting/] })
})

t.test('other paths 404 and other methods 405, as JSON', async t => {
  for (const url of ['/', '/health/', '/healthz', '/metrics', '/health/live/x']) {
    const res = answerHealthProbe(get(url), reading, 10_000, 3000)
    t.equal(res.statusCode, 404, url)
    t.same(JSON.parse(res.body), { statusCode: 404, code: 'AUDIT_ERR_NOT_FOUND', error: 'Not Found', message: `no route GET ${url}` })
  }
  const post = answerHealthProbe({ method: 'POST', url: '/health' }, reading, 10_000, 3000)
  t.equal(post.statusCode, 405)
  t.equal(post.allow, 'GET, HEAD')
  t.match(JSON.parse(post.body), { statusCode: 405, code: 'AUDIT_ERR_METHOD_NOT_ALLOWED' })
})
