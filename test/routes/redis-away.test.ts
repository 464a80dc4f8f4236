import t from 'tap'
import { waitFor } from '../helper.js'
import { REDIS_ROUTES, apiOn, metricsAnswer, ownRedis, refusedPromptly, seedDeadLetters, worksAgain } from './helpers/redis-away.js'

// Every route that needs Redis, on an API started without its Redis and on one whose Redis is
// killed: 503 with Retry-After within HEALTH_TIMEOUT_MS, /metrics answers with what it can
// read, and once Redis is back everything works without a restart.

t.test('an API started while its Redis is down: 503 at once, /metrics answers, and all works once Redis is up', async t => {
  const redis = await ownRedis(t)
  await redis.stopServer()
  const { app, config, metricsPort } = await apiOn(t, redis)

  const metrics = await metricsAnswer(t, app, metricsPort)
  t.notMatch(metrics, /^audit_queue_jobs\{/m, 'the queue gauges it cannot read are left out')
  for (const route of REDIS_ROUTES) await refusedPromptly(t, app, route)

  await redis.startServer()
  await waitFor(async () => (await app.inject({ method: 'GET', url: '/dead-letters' })).statusCode === 200, { what: 'the API to reach Redis' })
  await worksAgain(t, app, metricsPort, await seedDeadLetters(t, app, config, redis))
})

t.test('Redis killed under a running API: 503 within the deadline, /metrics answers, and all works once it is back', async t => {
  const redis = await ownRedis(t)
  const { app, config, metricsPort } = await apiOn(t, redis)
  const jobIds = await seedDeadLetters(t, app, config, redis)

  await redis.killServer()
  for (const route of REDIS_ROUTES) await refusedPromptly(t, app, route)
  // Ids of real dead letters this time.
  await refusedPromptly(t, app, { method: 'POST', url: `/dead-letters/${jobIds[0]}/retry` })
  await refusedPromptly(t, app, { method: 'POST', url: `/dead-letters/${jobIds[1]}/discard`, payload: { reason: 'redis is away' } })
  await metricsAnswer(t, app, metricsPort)

  // appendfsync always: the dead letters outlive the kill.
  await redis.startServer()
  await worksAgain(t, app, metricsPort, jobIds)
})
