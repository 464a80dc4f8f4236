import { once } from 'node:events'
import t from 'tap'
import { createEventQueue } from '../src/queue/create-event-queue.js'
import { createRedisConnection } from '../src/queue/redis-connection.js'
import { recomputeChain } from './chain-check.js'
import { describeJobEvent } from '../src/queue/append-job.js'
import { ADMIN_AUTH, countRows, openDatabase, sampleEvent, spawnCli, testConfig, testEnv, waitFor } from './helper.js'

t.test('SIGTERM under load: every 202 was enqueued, then stored once; both processes exit 0', async t => {
  const config = await testConfig(t)
  const port = 20000 + Math.floor(Math.random() * 20000)
  const env = { ...testEnv(config), PORT: String(port) }
  const api = spawnCli('api', env)
  const base = `http://127.0.0.1:${port}`
  await waitFor(async () => (await fetch(`${base}/health/live`).catch(() => undefined))?.ok, { what: 'api up' })

  const accepted: string[] = []
  let refused = 0
  let sent = 0
  const deadline = Date.now() + 20_000
  const client = async () => {
    while (Date.now() < deadline) {
      sent++
      try {
        const res = await fetch(`${base}/audit-events`, { method: 'POST', headers: { 'content-type': 'application/json', ...ADMIN_AUTH }, body: JSON.stringify(sampleEvent()) })
        if (res.status === 202) accepted.push((await res.json() as { id: string }).id)
        else { refused++; await res.body?.cancel() }
      } catch {
        refused++
        return // connection refused: the server is gone
      }
    }
  }
  const clients = Array.from({ length: 20 }, client)
  await waitFor(() => accepted.length >= 200, { what: '200 accepted' })
  api.kill('SIGTERM')
  const [code] = await once(api, 'exit')
  await Promise.all(clients)
  t.equal(code, 0, 'the API exits cleanly')
  t.ok(accepted.length >= 200, `${accepted.length} accepted, ${refused} refused of ${sent}`)

  // Everything that got a 202 is in Redis; a worker stores it, then stops on SIGTERM too.
  const redis = createRedisConnection(config.redisUrl, 'worker')
  const queue = createEventQueue({ name: config.queueName, prefix: config.queuePrefix, connection: redis, attempts: 1, backoffMs: 1 })
  t.teardown(async () => { await queue.close(); redis.disconnect() })
  const queued = (await queue.getWaiting(0, -1)).flatMap(job => job.data.events.map(e => describeJobEvent(e).id))
  t.same(new Set(queued), new Set(accepted), 'the queue holds exactly the accepted events')

  const db = openDatabase(t, config.databaseUrl)
  const worker = spawnCli('worker', env)
  await waitFor(async () => await countRows(db) === accepted.length, { what: 'all accepted events stored' })
  worker.kill('SIGTERM')
  const [workerCode] = await once(worker, 'exit')
  t.equal(workerCode, 0, 'the worker exits cleanly')
  const chain = await recomputeChain(db)
  t.same(chain.problems, [])
  t.same(chain.ids, new Set(accepted), 'stored exactly once each')
})
