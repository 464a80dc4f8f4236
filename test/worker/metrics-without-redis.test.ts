import { once } from 'node:events'
import t from 'tap'
import { freePort } from '../faults/free-port.js'
import { spawnCli, testConfig, testEnv, waitFor } from '../helper.js'
import { DEADLINE_MS, MARGIN_MS, SCRAPE, TOKEN, ownRedis, timed } from '../routes/helpers/redis-away.js'

// The worker's metrics read nothing from Redis: its listener answers whatever Redis does.
// A real worker process, killed at the end: what is tested is its listener, and a BullMQ worker
// closed right after its Redis came back sometimes waited for good (a flaky teardown, not this).

t.test('the worker\'s metrics listener answers while its Redis is down', async t => {
  const redis = await ownRedis(t)
  await redis.stopServer()
  const port = await freePort()
  const config = await testConfig(t, { REDIS_URL: redis.url })
  const worker = spawnCli('worker', { ...testEnv(config), WORKER_METRICS_PORT: String(port), METRICS_TOKEN: TOKEN })
  t.teardown(async () => {
    if (worker.exitCode !== null || worker.signalCode !== null) return
    const exited = once(worker, 'exit')
    worker.kill('SIGKILL')
    await exited
  })
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: SCRAPE }).catch(() => undefined))?.status, { what: 'the worker\'s metrics listener' })
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
  t.equal(worker.exitCode, null, 'the worker process is still running')
})
