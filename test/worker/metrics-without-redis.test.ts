import t from 'tap'
import { createLogger } from '../../src/logger.js'
import { createWorker } from '../../src/worker/create-worker.js'
import { freePort } from '../faults/free-port.js'
import { testConfig } from '../helper.js'
import { DEADLINE_MS, MARGIN_MS, SCRAPE, TOKEN, ownRedis, timed } from '../routes/helpers/redis-away.js'

// The worker's metrics read nothing from Redis: its listener answers whatever Redis does.

t.test('the worker\'s metrics listener answers while its Redis is down', async t => {
  const redis = await ownRedis(t)
  await redis.stopServer()
  const port = await freePort()
  const config = await testConfig(t, { REDIS_URL: redis.url, WORKER_METRICS_PORT: String(port), METRICS_TOKEN: TOKEN })
  const worker = await createWorker(config, createLogger('silent', 'test-worker'))
  t.teardown(() => worker.close())
  const scrape = async (what: string) => {
    const { value, ms } = await timed(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: SCRAPE })
      return { status: res.status, body: await res.text() }
    })
    t.equal(value.status, 200, `${what}: 200`)
    t.ok(ms < DEADLINE_MS + MARGIN_MS, `${what}: answered in ${ms} ms`)
    t.match(value.body, /audit_events_stored_total/, `${what}: with its series`)
  }
  await scrape('started without Redis')
  await redis.startServer()
  await scrape('Redis up')
  await redis.killServer()
  await scrape('Redis killed')
  // Closing waits for Redis: bring it back first.
  await redis.startServer()
  await worker.close()
})
