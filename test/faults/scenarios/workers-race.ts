import { waitFor } from '../../helper.js'
import { settleAndCheck } from '../fault-checks.js'
import type { FaultLab } from '../fault-lab.js'
import type { FaultRow } from '../fault-report.js'
import type { FaultTest } from '../fault-test.js'

const EVENTS = 10_000
const PER_REQUEST = 10

/**
 * Fault 6: two worker processes racing on one tenant for 10,000 events. They are sent as
 * 1,000 batch requests of 10, each its own job (INGEST_BATCH_WINDOW_MS=0: no merging), and
 * each worker takes 16 jobs at once, so both append to the same chain all the time and only
 * the chain head's row lock orders them. The result
 * must be seq 1..10,000 with every link and the tree intact: no fork, no gap. While it runs
 * the suite samples the owners of the active jobs' locks (BullMQ lock token =
 * `<worker id>:<n>`) to show that both workers really took part.
 */
export async function workersRace (t: FaultTest, lab: FaultLab, fault: string): Promise<FaultRow> {
  const started = performance.now()
  const s = await lab.scenario(t, 'workers-race', { INGEST_BATCH_WINDOW_MS: '0', WORKER_CONCURRENCY: '16', APPEND_BATCH_MAX: '100' })
  await s.startAll(2)
  const stream = s.stream({ tenants: ['race'], concurrency: 16, batchSize: PER_REQUEST, maxRequests: EVENTS / PER_REQUEST, timeoutMs: 30_000 })
  stream.start()

  const owners = new Set<string>()
  let sampling = true
  const sampler = (async () => {
    while (sampling) {
      const active = await s.queue.getActive(0, 50)
      const tokens = await Promise.all(active.map(job => s.redis.get(`${s.env.QUEUE_PREFIX}:audit-events:${job.id}:lock`)))
      for (const token of tokens) if (token !== null) owners.add(token.split(':')[0]!)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  })()
  await stream.finished()
  await waitFor(async () => (await s.queue.getJobCounts('waiting', 'active')).waiting === 0 || owners.size >= 2, { timeoutMs: 120_000, what: 'both workers seen' })
  sampling = false
  await sampler
  t.equal(stream.size, EVENTS, `${EVENTS} events sent`)
  t.ok(owners.size >= 2, `both worker processes took jobs of the one tenant (${owners.size} lock owners seen)`)

  const row = await settleAndCheck(t, s, stream, fault, started, { timeoutMs: 180_000 })
  const head = await s.db.selectFrom('chain_heads').select(['size']).where('tenant', '=', 'race').executeTakeFirstOrThrow()
  t.equal(head.size, row.stored + 1, `chain head at ${head.size}: the ${row.stored} events and the one audit.verify entry`)
  row.notes = `${row.notes}; one tenant, 1 job per 10 events, ${owners.size} workers seen holding its jobs; head seq ${head.size}`
  return row
}
