import { randomBytes } from 'node:crypto'
import rateLimit from '@fastify/rate-limit'
import Fastify, { type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import t from 'tap'
import { BatchedRedisStore, EARLY_SYNC_FRACTION } from '../../src/limits/batched-redis-store.js'
import rateLimitPlugin from '../../src/plugins/rate-limit.js'
import { RedisInstance } from '../faults/redis-instance.js'
import { cleanRedisPrefix, CLOSED_PORT, REDIS_URL, waitFor } from '../helper.js'

type Test = { teardown: (fn: () => unknown) => void }

const redis = new Redis(REDIS_URL)
t.teardown(() => redis.quit())

function nameSpace (t: Test): string {
  const prefix = `t${randomBytes(5).toString('hex')}`
  cleanRedisPrefix(t, prefix)
  return `${prefix}:rate:`
}

/** One API instance: @fastify/rate-limit with its own BatchedRedisStore and Redis connection. */
async function instance (t: Test, options: { nameSpace: string, max: number, windowMs: number, redisUrl?: string, log?: { warn: (...args: unknown[]) => void, info: (...args: unknown[]) => void } }) {
  const client = new Redis(options.redisUrl ?? REDIS_URL, { maxRetriesPerRequest: 1, retryStrategy: times => Math.min(100 * times, 1000) })
  client.on('error', () => {})
  const store = new BatchedRedisStore({ redis: client, nameSpace: options.nameSpace, ...(options.log && { log: options.log }) })
  const app = Fastify()
  await app.register(rateLimit, {
    max: options.max,
    timeWindow: options.windowMs,
    store: store.storeClass(),
    skipOnError: true,
    keyGenerator: request => String(request.headers['x-key'] ?? 'k')
  })
  app.get('/', async () => 'ok')
  app.get('/strict', { config: { rateLimit: { max: 2 } } }, async () => 'ok')
  app.addHook('onClose', async () => {
    await store.close()
    client.disconnect()
  })
  t.teardown(() => app.close())
  return { app, store }
}

const get = (app: FastifyInstance, url = '/') => app.inject({ method: 'GET', url })

t.test('hits on two instances are counted together once synced', async t => {
  const ns = nameSpace(t)
  const a = await instance(t, { nameSpace: ns, max: 1000, windowMs: 60_000 })
  const b = await instance(t, { nameSpace: ns, max: 1000, windowMs: 60_000 })
  for (let i = 0; i < 6; i++) await get(a.app)
  for (let i = 0; i < 4; i++) await get(b.app)
  await a.store.flush()
  await b.store.flush()
  t.equal(await redis.get(`${ns}k`), '10', 'both instances\' hits in one counter')
  const pttl = await redis.pttl(`${ns}k`)
  t.ok(pttl > 0 && pttl <= 60_000, 'the counter expires with the window')
  // A hears of B's hits in the reply to its own next sync, which needs a hit of its own to send.
  await get(a.app)
  await a.store.flush()
  t.equal((await get(a.app)).headers['x-ratelimit-remaining'], '988', '6 + 4 + 2 counted on A')
  await a.store.flush()
  t.ok(await redis.pttl(`${ns}k`) <= pttl, 'a later sync does not restart the window')
})

t.test('the request past the limit, across two instances, is a 429 with the usual headers', async t => {
  const ns = nameSpace(t)
  const a = await instance(t, { nameSpace: ns, max: 20, windowMs: 60_000 })
  const b = await instance(t, { nameSpace: ns, max: 20, windowMs: 60_000 })
  const statuses: number[] = []
  for (let i = 0; i < 20; i++) statuses.push((await get(i % 2 === 0 ? a.app : b.app)).statusCode)
  t.same(statuses, Array(20).fill(200), 'near the limit each hit is checked against the shared count')
  const refused = await get(b.app)
  t.equal(refused.statusCode, 429)
  t.equal(refused.headers['x-ratelimit-limit'], '20')
  t.equal(refused.headers['x-ratelimit-remaining'], '0')
  const retryAfter = Number(refused.headers['retry-after'])
  t.ok(retryAfter > 0 && retryAfter <= 60, 'Retry-After is the time left in the window')
  t.equal(refused.headers['x-ratelimit-reset'], refused.headers['retry-after'])
  t.equal((await get(a.app)).statusCode, 429, 'the other instance refuses too')
})

t.test('a burst on one instance while another has unsynced hits stays within the documented bound', async t => {
  const ns = nameSpace(t)
  const max = 200
  const a = await instance(t, { nameSpace: ns, max, windowMs: 60_000 })
  const b = await instance(t, { nameSpace: ns, max, windowMs: 60_000 })
  let admitted = 0
  for (let i = 0; i < 15; i++) if ((await get(b.app)).statusCode === 200) admitted++
  const burst = await Promise.all(Array.from({ length: 300 }, () => get(a.app)))
  t.same([...new Set(burst.map(res => res.statusCode))].sort(), [200, 429], 'answered, none failed')
  const aAdmitted = burst.filter(res => res.statusCode === 200).length
  admitted += aAdmitted
  t.ok(aAdmitted <= max, `one instance never admits more than the limit on its own (${aAdmitted})`)
  const bound = 2 * EARLY_SYNC_FRACTION * max
  t.ok(admitted >= max && admitted <= max + bound, `${admitted} admitted: at most ${bound} past ${max} with 2 instances`)
  await a.store.flush()
  await b.store.flush()
  t.equal(await redis.get(`${ns}k`), '315', 'refused requests count too, as with the RedisStore')
})

t.test('after the window, requests pass again', async t => {
  const ns = nameSpace(t)
  const a = await instance(t, { nameSpace: ns, max: 3, windowMs: 1000 })
  const statuses: number[] = []
  for (let i = 0; i < 4; i++) statuses.push((await get(a.app)).statusCode)
  t.same(statuses, [200, 200, 200, 429])
  await waitFor(async () => await redis.exists(`${ns}k`) === 0, { what: 'the counter to expire in Redis' })
  const view = new (a.store.storeClass())({}) as unknown as { read: (key: string, cb: (err: Error | null, res: { ttl: number }) => void) => void }
  await waitFor(() => new Promise<boolean>(resolve => view.read('k', (_, res) => resolve(res.ttl === 0))), { what: 'the window to end on the instance' })
  const next = await get(a.app)
  t.equal(next.statusCode, 200)
  t.equal(next.headers['x-ratelimit-remaining'], '2', 'a new window')
})

t.test('routes with their own limit are counted under their own key', async t => {
  const ns = nameSpace(t)
  const a = await instance(t, { nameSpace: ns, max: 100, windowMs: 60_000 })
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) statuses.push((await get(a.app, '/strict')).statusCode)
  t.same(statuses, [200, 200, 429])
  t.equal((await get(a.app)).statusCode, 200, 'the global limit is apart')
  await a.store.flush()
  t.equal(await redis.get(`${ns}GET/strict-k`), '3')
  t.equal(await redis.get(`${ns}k`), '1')
})

t.test('closing sends what is pending', async t => {
  const ns = nameSpace(t)
  const a = await instance(t, { nameSpace: ns, max: 1000, windowMs: 60_000 })
  await get(a.app)
  await a.app.close()
  t.equal(await redis.get(`${ns}k`), '1')
})

t.test('Redis unreachable: requests are answered at once and counted on the instance', async t => {
  const app = Fastify()
  await app.register(rateLimitPlugin, { redisUrl: `redis://127.0.0.1:${CLOSED_PORT}`, max: 5, windowMs: 60_000, nameSpace: nameSpace(t) })
  app.get('/', async () => 'ok')
  t.teardown(() => app.close())
  const statuses: number[] = []
  for (let i = 0; i < 7; i++) statuses.push((await get(app)).statusCode)
  t.same(statuses, [200, 200, 200, 200, 200, 429, 429])
})

t.test('a Redis outage is logged once, counted locally, and the hits reach Redis when it is back', async t => {
  const server = await RedisInstance.start()
  t.teardown(() => server.destroy())
  const warnings: unknown[] = []
  const infos: unknown[] = []
  const log = { warn: (...args: unknown[]) => { warnings.push(args) }, info: (...args: unknown[]) => { infos.push(args) } }
  const ns = 'outage:rate:'
  const a = await instance(t, { nameSpace: ns, max: 1000, windowMs: 60_000, redisUrl: server.url, log })
  await get(a.app)
  await a.store.flush()
  await server.stopServer()
  for (let i = 0; i < 5; i++) t.equal((await get(a.app)).statusCode, 200)
  await a.store.flush()
  await a.store.flush()
  t.equal(warnings.length, 1, 'one warning for the whole outage')
  t.equal((await get(a.app)).headers['x-ratelimit-remaining'], '993', 'still counted here')
  await server.startServer()
  await waitFor(async () => { await a.store.flush(); return infos.length === 1 }, { what: 'a sync after Redis is back' })
  const direct = new Redis(server.url)
  const count = await direct.get(`${ns}k`)
  direct.disconnect()
  t.equal(count, '7', 'the hits counted during the outage were sent')
  t.equal(warnings.length, 1)
})
