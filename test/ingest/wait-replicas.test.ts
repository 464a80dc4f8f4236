import t from 'tap'
import { buildTestApp, sampleEvent, testConfig } from '../helper.js'

// REDIS_WAIT_REPLICAS on a Redis without the replicas it asks for (the shared one has none):
// the event is refused with 503, never answered 202 on the master's word alone. With the
// replicas there, see test/queue/redis-cluster.test.ts and redis-sentinel.test.ts.

t.test('REDIS_WAIT_REPLICAS=1 without a replica: 503 on ingest and /health, and the same id is accepted once it is off', async t => {
  const config = await testConfig(t, { REDIS_WAIT_REPLICAS: '1', INGEST_BATCH_WINDOW_MS: '0' })
  const app = await buildTestApp(t, config)
  const event = sampleEvent({ id: '01a23d87-9ca8-7099-be2e-6525996d4199' })
  const res = await app.inject({ method: 'POST', url: '/audit-events', payload: event })
  t.equal(res.statusCode, 503)
  t.equal(res.json().code, 'AUDIT_ERR_QUEUE_UNAVAILABLE')
  t.match(res.json().message, /reached 0 of the 1 Redis replicas REDIS_WAIT_REPLICAS asks for/)
  t.match(res.headers['retry-after'], /^\d+$/)
  const health = await app.inject({ method: 'GET', url: '/health' })
  t.equal(health.statusCode, 503, '/health says so: a load balancer sends the events elsewhere')
  t.match(health.json().reasons, [/the queue's Redis master has 0 of the 1 replicas REDIS_WAIT_REPLICAS asks for/])

  const unwaited = await buildTestApp(t, { ...config, redisWaitReplicas: 0 })
  const again = await unwaited.inject({ method: 'POST', url: '/audit-events', payload: event })
  t.equal(again.statusCode, 202, 'the claim was freed for the retry')
})
