import t from 'tap'
import { DEAD_LETTER_ROUTES, RECORDED_ROUTES, apiOn, metricsAnswer, ownRedis, refusedPromptly, seedDeadLetters, worksAgain } from './helpers/redis-away.js'

// A Redis that stops answering (SIGSTOP) while the API's connections to it stay open: the
// connection still looks ready, so only the deadline race can answer in time.

t.test('a Redis that stops answering with its connections open: 503 within the deadline, and all works once it answers again', async t => {
  const redis = await ownRedis(t)
  t.teardown(() => redis.thaw())
  const { app, config, metricsPort } = await apiOn(t, redis)
  const jobIds = await seedDeadLetters(t, app, config, redis)

  redis.freeze()
  for (const route of DEAD_LETTER_ROUTES) await refusedPromptly(t, app, route)
  await metricsAnswer(t, app, metricsPort)
  // The connection still looks ready: recorded operations ask Redis first, within the deadline.
  for (const route of RECORDED_ROUTES) await refusedPromptly(t, app, route)

  redis.thaw()
  await worksAgain(t, app, metricsPort, jobIds)
})
