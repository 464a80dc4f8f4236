import type t from 'tap'
import { UnrecoverableError, Worker } from 'bullmq'
import type { FastifyInstance, InjectOptions } from 'fastify'
import type { Config } from '../../../src/config.js'
import { freePort } from '../../faults/free-port.js'
import { RedisInstance } from '../../faults/redis-instance.js'
import { buildTestApp, sampleEvent, testConfig, waitFor } from '../../helper.js'

// What the Redis-away tests share (test/routes/redis-away.test.ts, redis-frozen.test.ts,
// test/worker/metrics-without-redis.test.ts): a Redis of each test's own (never the shared one
// on 6379), an API on it, and the checks that every route that needs Redis answers 503 with
// Retry-After within HEALTH_TIMEOUT_MS, that /metrics answers, and that all works once Redis is back.

export const DEADLINE_MS = 500
/** What an answer may take beyond the deadline on a loaded machine (2 cores, shared). */
export const MARGIN_MS = 1000
export const TOKEN = 'scrape-secret'
export const SCRAPE = { authorization: `Bearer ${TOKEN}` }

export type Test = Pick<typeof t, 'teardown' | 'equal' | 'ok' | 'match' | 'notMatch' | 'same'>

// Ids that name no job: a step that Redis carries out once it answers again (the frozen case)
// must not change the dead letters the tests check afterwards.
export const DEAD_LETTER_ROUTES: InjectOptions[] = [
  { method: 'GET', url: '/dead-letters' },
  { method: 'POST', url: '/dead-letters/retry' },
  { method: 'POST', url: '/dead-letters/none/retry' },
  { method: 'POST', url: '/dead-letters/none/discard', payload: { reason: 'redis is away' } }
]
/** Operations recorded in the log: refused because their own-access event cannot be queued. */
export const RECORDED_ROUTES: InjectOptions[] = [
  { method: 'GET', url: '/verify' },
  { method: 'GET', url: '/audit-events/export' },
  { method: 'POST', url: '/keys', payload: { tenant: 'acme', name: 'unrecorded', scopes: ['events:write'] } }
]
export const REDIS_ROUTES = [...DEAD_LETTER_ROUTES, ...RECORDED_ROUTES]

export async function ownRedis (t: Test): Promise<RedisInstance> {
  const redis = await RedisInstance.start()
  t.teardown(() => redis.destroy())
  return redis
}

export async function apiOn (t: Test, redis: RedisInstance) {
  const metricsPort = await freePort()
  const config = await testConfig(t, {
    REDIS_URL: redis.url,
    HEALTH_TIMEOUT_MS: String(DEADLINE_MS),
    METRICS_TOKEN: TOKEN,
    API_METRICS_PORT: String(metricsPort),
    INGEST_BATCH_WINDOW_MS: '0'
  })
  const app = await buildTestApp(t, config)
  await app.ready()
  return { app, config, metricsPort }
}

export async function timed<T> (run: () => Promise<T>): Promise<{ value: T, ms: number }> {
  const started = performance.now()
  const value = await run()
  return { value, ms: Math.round(performance.now() - started) }
}

export async function refusedPromptly (t: Test, app: FastifyInstance, route: InjectOptions): Promise<void> {
  const name = `${route.method} ${route.url}`
  const { value: res, ms } = await timed(() => app.inject(route))
  t.equal(res.statusCode, 503, `${name}: 503 (${res.body})`)
  t.equal(res.json().code, 'AUDIT_ERR_QUEUE_UNAVAILABLE', `${name}: its code`)
  t.match(res.headers['retry-after'], /^\d+$/, `${name}: Retry-After`)
  t.ok(ms < DEADLINE_MS + MARGIN_MS, `${name}: answered in ${ms} ms, within the ${DEADLINE_MS} ms deadline (+${MARGIN_MS} ms margin)`)
}

/** Both the API port's /metrics and the metrics listener answer 200 within the deadline. */
export async function metricsAnswer (t: Test, app: FastifyInstance, metricsPort: number): Promise<string> {
  const { value: res, ms } = await timed(() => app.inject({ method: 'GET', url: '/metrics', headers: SCRAPE }))
  t.equal(res.statusCode, 200, 'GET /metrics on the API port: 200')
  t.ok(ms < DEADLINE_MS + MARGIN_MS, `GET /metrics on the API port answered in ${ms} ms`)
  t.match(res.body, /audit_http_requests_total/, 'with what it can read')
  const listener = await timed(async () => {
    const r = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: SCRAPE })
    return { status: r.status, body: await r.text() }
  })
  t.equal(listener.value.status, 200, 'GET /metrics on API_METRICS_PORT: 200')
  t.ok(listener.ms < DEADLINE_MS + MARGIN_MS, `GET /metrics on API_METRICS_PORT answered in ${listener.ms} ms`)
  return res.body
}

/** Two events accepted and dead-lettered by a worker that refuses every job: their job ids. */
export async function seedDeadLetters (t: Test, app: FastifyInstance, config: Config, redis: RedisInstance): Promise<string[]> {
  for (let i = 0; i < 2; i++) t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent() })).statusCode, 202)
  const refusing = new Worker(config.queueName, async () => { throw new UnrecoverableError('refused by the test') }, {
    connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null },
    prefix: config.queuePrefix
  })
  try {
    const items = await waitFor(async () => {
      const res = await app.inject({ method: 'GET', url: '/dead-letters' })
      return res.statusCode === 200 && res.json().items.length === 2 ? res.json().items as Array<{ job_id: string }> : undefined
    }, { what: 'two dead letters' })
    return items.map(item => item.job_id)
  } finally {
    await refusing.close()
  }
}

/** Once Redis is back: the dead letters are there and every route works again. */
export async function worksAgain (t: Test, app: FastifyInstance, metricsPort: number, jobIds: string[]): Promise<void> {
  await waitFor(async () => (await app.inject({ method: 'GET', url: '/dead-letters' })).statusCode === 200, { what: 'the API to reach Redis again' })
  const list = await app.inject({ method: 'GET', url: '/dead-letters' })
  t.same(list.json().items.map((item: { job_id: string }) => item.job_id).sort(), [...jobIds].sort(), 'the dead letters are all there')
  t.equal((await app.inject({ method: 'POST', url: `/dead-letters/${jobIds[0]}/retry` })).statusCode, 202, 'retry one')
  const discard = await app.inject({ method: 'POST', url: `/dead-letters/${jobIds[1]}/discard`, payload: { reason: 'after the outage' } })
  t.equal(discard.statusCode, 200, `discard another (${discard.body})`)
  const retryAll = await app.inject({ method: 'POST', url: '/dead-letters/retry' })
  t.same([retryAll.statusCode, retryAll.json()], [202, { retried: 0 }], 'retry all: none left')
  t.same((await app.inject({ method: 'GET', url: '/dead-letters' })).json().items, [], 'no dead letter left')
  t.equal((await app.inject({ method: 'GET', url: '/verify' })).statusCode, 200, 'verify')
  t.equal((await app.inject({ method: 'GET', url: '/audit-events/export' })).statusCode, 200, 'export')
  t.equal((await app.inject({ method: 'POST', url: '/keys', payload: { tenant: 'acme', name: 'after', scopes: ['events:write'] } })).statusCode, 201, 'create a key')
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent() })).statusCode, 202, 'ingest')
  const body = await waitFor(async () => {
    const scraped = await metricsAnswer(t, app, metricsPort)
    return /^audit_queue_jobs\{state="waiting"\} \d+$/m.test(scraped) ? scraped : undefined
  }, { what: 'the queue gauges back in /metrics' })
  t.match(body, /^audit_queue_jobs\{state="failed"\} 0$/m, 'the queue gauges are read again')
}
