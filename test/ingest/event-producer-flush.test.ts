import t, { type Test } from 'tap'
import { compileScrubber } from '../../src/ingest/scrub-secrets.js'
import { QueueUnavailableError } from '../../src/errors.js'
import { prepareEvent } from '../../src/ingest/prepare-event.js'
import { describeJobEvent, type AppendJobData } from '../../src/queue/append-job.js'
import { createEventQueue, eventQueueOptions } from '../../src/queue/create-event-queue.js'
import { EventProducer, type EventProducerOptions } from '../../src/ingest/event-producer.js'
import { createRedisConnection } from '../../src/queue/redis-connection.js'
import type { AuditEventInput } from '../../src/schemas/audit-event.js'
import { sampleEvent, testConfig } from '../helper.js'

const scrub = compileScrubber()
const item = (tenant: string, overrides: Record<string, unknown> = {}) =>
  prepareEvent(sampleEvent(overrides) as AuditEventInput, { tenant, requestId: 'r', receivedAt: new Date().toISOString(), scrub })

async function setup (t: Test, options: Partial<EventProducerOptions> = {}) {
  const config = await testConfig(t)
  const redis = createRedisConnection(config.redisUrl, 'producer')
  const queue = createEventQueue(eventQueueOptions(config, redis))
  const producer = new EventProducer({ queue, redis, keyPrefix: config.queuePrefix, idempotencyTtlSeconds: 60, batchWindowMs: 50, batchMax: 500, maxWaiting: 1_000_000, ...options })
  t.teardown(async () => {
    await producer.close()
    await queue.close()
    redis.disconnect()
  })
  const waiting = async () => (await queue.getWaiting(0, -1)) as Array<{ data: AppendJobData }>
  return { config, redis, queue, producer, waiting }
}

t.test('one bad item fails only its own request, not the others flushed with it', async t => {
  const { config, redis, queue, producer, waiting } = await setup(t)
  // An item Redis refuses (as it would a value over its size limit); everything else is real.
  const addBulk = queue.addBulk.bind(queue)
  queue.addBulk = (async (jobs: Parameters<typeof addBulk>[0]) => {
    if (jobs.some(job => job.data.events.some(e => describeJobEvent(e).action === 'poison.item'))) throw new Error('ERR value too large')
    return addBulk(jobs)
  }) as typeof queue.addBulk

  const goodId = '0193a1b2-0000-7000-8000-0000000000f1'
  const badId = '0193a1b2-0000-7000-8000-0000000000f2'
  // Three requests in one flush window, two tenants.
  const [good, bad, other] = await Promise.allSettled([
    producer.submit([item('acme', { id: goodId })]),
    producer.submit([item('globex', { id: badId, action: 'poison.item' }), item('globex')]),
    producer.submit([item('globex')])
  ])
  t.equal(good.status, 'fulfilled', 'the good request is accepted')
  t.equal(other.status, 'fulfilled', 'so is the other request of the poisoned tenant')
  t.equal(bad.status, 'rejected', 'the request with the bad item is refused')
  t.type(bad.status === 'rejected' && bad.reason, QueueUnavailableError)

  const queued = (await waiting()).flatMap(job => job.data.events.map(e => describeJobEvent(e).action === 'poison.item' ? 'poison' : describeJobEvent(e).tenant))
  t.same(queued.sort(), ['acme', 'globex'], 'the good events are queued, the bad request\'s are not')
  t.equal(await redis.get(`${config.queuePrefix}:idem:globex:${badId}`), null, 'the refused request\'s id is free for a retry')
  t.match(await redis.get(`${config.queuePrefix}:idem:acme:${goodId}`), /^[0-9a-f]{64} /, 'the accepted id is remembered')
})

t.test('a duplicate answered from a request that then failed fails with it', async t => {
  const { queue, producer } = await setup(t)
  const addBulk = queue.addBulk.bind(queue)
  queue.addBulk = (async (jobs: Parameters<typeof addBulk>[0]) => {
    if (jobs.some(job => job.data.events.some(e => describeJobEvent(e).action === 'poison.item'))) throw new Error('ERR value too large')
    return addBulk(jobs)
  }) as typeof queue.addBulk
  const id = '0193a1b2-0000-7000-8000-0000000000f3'
  const first = item('acme', { id, action: 'poison.item' })
  const [a, b] = await Promise.allSettled([producer.submit([first]), producer.submit([{ ...first }])])
  t.equal(a.status, 'rejected')
  t.equal(b.status, 'rejected', 'no duplicate answer for an event that was never queued')
})

t.test('jobs are capped in bytes as well as in events', async t => {
  const { producer, waiting } = await setup(t, { jobMaxBytes: 150_000 })
  // Records are at most 65,535 bytes (RECORD_MAX_BYTES, what a tlog-tiles entry carries).
  const items = Array.from({ length: 10 }, (_, i) => item('acme', { metadata: { note: String(i).repeat(8000), more: Object.fromEntries(Array.from({ length: 5 }, (_, k) => [`n${k}`, 'y'.repeat(8000)])) } }))
  t.ok(items.every(i => i.bytes > 45_000 && i.bytes < 60_000), 'events of about 50 KB')
  const results = await producer.submit(items)
  t.equal(results.length, 10)
  const jobs = await waiting()
  const sizes = jobs.map(job => Buffer.byteLength(JSON.stringify(job.data)))
  t.ok(jobs.length >= 4, `${jobs.length} jobs`)
  t.ok(sizes.every(size => size <= 150_000), `each job within 150,000 bytes: ${sizes.join(', ')}`)
  t.equal(jobs.reduce((n, job) => n + job.data.events.length, 0), 10, 'every event queued once')
})

t.test('ids Redis does not remember are looked up once per flush; a failed lookup does not stop ingest', async t => {
  const asked: Array<Array<{ tenant: string, id: string }>> = []
  const storedId = '0193a1b2-0000-7000-8000-0000000000e1'
  const { producer } = await setup(t, {
    storedIds: {
      async find (events) {
        asked.push([...events])
        return events.filter(e => e.id === storedId).map(e => ({ ...e, digest: item('acme', { id: storedId }).digest, received_at: '2026-01-01T00:00:00.000Z', record_sha256: 'c3RvcmVk' }))
      }
    }
  })
  const [a, b, c] = await Promise.all([
    producer.submit([item('acme', { id: storedId })]),
    producer.submit([item('acme', { id: '0193a1b2-0000-7000-8000-0000000000e2' }), item('acme')]),
    producer.submit([item('globex', { id: '0193a1b2-0000-7000-8000-0000000000e3' })])
  ])
  t.equal(asked.length, 1, 'one lookup for the three requests of the flush')
  t.same(asked[0]!.map(e => e.id).sort(), [storedId, '0193a1b2-0000-7000-8000-0000000000e2', '0193a1b2-0000-7000-8000-0000000000e3'], 'only the ids sent by producers')
  t.match(a, [{ duplicate: true, received_at: '2026-01-01T00:00:00.000Z', record_sha256: 'c3RvcmVk' }])
  t.match(b, [{ duplicate: false }, { duplicate: false }])
  t.match(c, [{ duplicate: false }])
  // Remembered in Redis now: the next repeat needs no lookup.
  await producer.submit([item('acme', { id: storedId })])
  t.equal(asked.length, 1)

  const errors: unknown[] = []
  const failing = await setup(t, { storedIds: { find: async () => { throw new Error('connection refused') } }, onLookupError: err => errors.push(err) })
  t.match(await failing.producer.submit([item('acme', { id: '0193a1b2-0000-7000-8000-0000000000e4' })]), [{ duplicate: false }], 'accepted as before')
  t.equal(errors.length, 1, 'and reported')
})
