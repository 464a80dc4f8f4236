import type t from 'tap'
import type { AddressInfo } from 'node:net'
import { createAuditClient, type Accepted } from '../../../src/client/index.js'
import { recomputeChain } from '../../chain-check.js'
import type { RedisProcess } from '../../faults/redis-group.js'
import { buildTestApp, openDatabase, sampleEvent, startTestWorker, TEST_ADMIN_KEY, testConfig, waitFor } from '../../helper.js'

// What the Redis Cluster and Sentinel tests share: the API (buildApp with its real
// dependencies) and a worker on the group, events single and batched end to end, then 2,000
// events through the bundled client while the master holding the queue is SIGKILLed and its
// replica promoted; afterwards every accepted id is stored exactly once, every chain is
// valid, and /health said so while it lasted.

type Test = Pick<typeof t, 'teardown' | 'equal' | 'ok' | 'same' | 'pass'>
const TENANTS = ['default', 'acme']
const EVENTS = 2000

export interface Failover {
  /** SIGKILLs the master that holds the queue's keys; resolves once it is dead. */
  kill (queueKey: string): Promise<void>
  /** Resolves once a replica has been promoted in its place. */
  promoted (): Promise<void>
  /** Brings the killed node back; it rejoins as a replica of the promoted one. */
  rejoin (): Promise<void>
  /** The data nodes running now (masters and replicas; not sentinels). */
  running (): RedisProcess[]
}

export async function failoverFlow (t: Test, redisUrl: string, failover: Failover): Promise<void> {
  const config = await testConfig(t, {
    REDIS_URL: redisUrl,
    // An accepted event is on the replica too, so the promoted replica has it.
    REDIS_WAIT_REPLICAS: '1',
    HEALTH_TIMEOUT_MS: '500',
    HEALTH_CACHE_MS: '0',
    CHECKPOINT_INTERVAL_SECONDS: '1',
    VERIFY_INTERVAL_SECONDS: '0',
    RATE_LIMIT_MAX: '1000000'
  })
  const app = await buildTestApp(t, config)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const worker = await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const queueKey = app.eventQueue.toKey('id')

  // Single and batch, end to end.
  const single = await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent() })
  t.equal(single.statusCode, 202, `one event accepted${single.statusCode === 202 ? '' : ` (${single.body})`}`)
  const batch = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: [sampleEvent({ tenant: 'acme' }), sampleEvent({ tenant: 'acme' }), sampleEvent()] } })
  t.equal(batch.statusCode, 202, `a batch accepted${batch.statusCode === 202 ? '' : ` (${batch.body})`}`)
  const before = [single.json().id as string, ...(batch.json().items as Accepted[]).map(i => i.id)]
  await waitFor(async () => (await storedIds(db)).length === 4, { what: 'the first 4 events in PostgreSQL', timeoutMs: 30_000 })
  t.pass('single and batched events stored')

  // /health, sampled until the end.
  const seen: Array<{ statusCode: number, status: string }> = []
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const res = await app.inject({ method: 'GET', url: '/health' })
      seen.push({ statusCode: res.statusCode, status: res.json().status })
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  })()

  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const client = createAuditClient({ url, apiKey: TEST_ADMIN_KEY, batchSize: 50, flushIntervalMs: 10, maxAttempts: 60, backoffMs: 100, timeoutMs: 10_000 })
  const sends: Array<Promise<Accepted>> = []
  let accepted = 0
  const send = (n: number) => {
    for (let i = 0; i < n; i++) {
      const p = client.send(sampleEvent({ tenant: TENANTS[sends.length % TENANTS.length], metadata: { n: sends.length } }) as Parameters<typeof client.send>[0])
      void p.then(() => { accepted++ }, () => {})
      sends.push(p)
    }
  }
  // Half the events, the kill once a quarter are in, the other half at once, into the failover.
  send(EVENTS / 2)
  await waitFor(() => accepted >= EVENTS / 4, { what: `${EVENTS / 4} events accepted`, timeoutMs: 30_000 })
  const started = performance.now()
  await failover.kill(queueKey)
  send(EVENTS / 2)
  await failover.promoted()
  const promotedMs = Math.round(performance.now() - started)
  await failover.rejoin()
  const results = await Promise.allSettled(sends)
  await client.close()
  const ids = results.flatMap(r => r.status === 'fulfilled' ? [r.value.id] : [])
  const refused = results.flatMap(r => r.status === 'rejected' ? [String(r.reason)] : [])
  t.same(refused.slice(0, 3), [], `every one of the ${EVENTS} events accepted in the end (replica promoted after ${promotedMs} ms)`)

  const wanted = new Set([...before, ...ids])
  await waitFor(async () => (await storedIds(db)).length >= wanted.size, { what: `${wanted.size} events in PostgreSQL`, timeoutMs: 60_000 })
  const stored = await storedIds(db)
  const missing = [...wanted].filter(id => !stored.includes(id))
  t.equal(missing.length, 0, `0 lost: every accepted id stored (${stored.length} rows)`)
  t.equal(new Set(stored).size, stored.length, '0 duplicated: every id stored once')
  t.equal(stored.length, wanted.size, 'and nothing else stored')
  for (const tenant of TENANTS) {
    const chain = await recomputeChain(db, tenant)
    t.same(chain.problems, [], `${tenant}: the chain (${chain.count} events) is valid`)
  }

  // The idempotency claims and rate-limit counters live in the queue's slot (on a cluster: the
  // pipelines and the multi-key script would fail with CROSSSLOT otherwise, silently for the
  // rate limits, which count in memory then), and the revocation subscriber is subscribed again.
  const prefix = config.queuePrefix
  const slotOf = async (node: RedisProcess, key: string): Promise<unknown> => await node.call('CLUSTER', 'KEYSLOT', key).catch(() => 'no cluster')
  for (const kind of ['idem', 'rate']) {
    const found: string[] = []
    for (const node of failover.running()) {
      const [, keys] = await node.call('SCAN', '0', 'MATCH', `${prefix}:${kind}:*`, 'COUNT', '100000') as [string, string[]]
      if (keys.length > 0 && !String(await node.call('INFO', 'replication')).includes('role:slave')) found.push(...keys)
    }
    t.ok(found.length > 0, `${prefix}:${kind}:… keys written`)
    const node = failover.running()[0]!
    const slot = await slotOf(node, queueKey)
    if (slot === 'no cluster') t.pass(`${kind} keys on the primary with the queue (no slots outside a cluster)`)
    else t.same(new Set(await Promise.all(found.slice(0, 20).map(k => slotOf(node, k)))), new Set([slot]), `${kind} keys share the queue's slot (${String(slot)})`)
  }
  await waitFor(async () => {
    let subscribers = 0
    for (const node of failover.running()) subscribers += Number((await node.call('PUBSUB', 'NUMSUB', `${prefix}:keys:revoked`) as [string, number])[1])
    return subscribers > 0
  }, { what: 'the key-revocation subscriber to be subscribed after the failover', timeoutMs: 20_000 })
  t.pass('the key-revocation subscriber is subscribed after the failover')

  await waitFor(async () => seen.at(-1)?.status === 'ok', { what: '/health ok again', timeoutMs: 30_000 })
  sampling = false
  await sampler
  const outage = seen.filter(s => s.statusCode === 503 || s.status !== 'ok')
  t.ok(outage.length > 0, `/health reported the failover (${outage.length} of ${seen.length} readings not ok, e.g. ${outage[0]?.statusCode} ${outage[0]?.status})`)
  t.equal(seen.at(-1)?.statusCode, 200, '/health is ok after it')
  // Closed here, while the group still runs: the group's teardowns were registered first.
  await worker.close()
  await app.close()
}

async function storedIds (db: ReturnType<typeof openDatabase>): Promise<string[]> {
  return (await db.selectFrom('audit_events').select('id').execute()).map(r => r.id)
}
