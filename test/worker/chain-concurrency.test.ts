import { once } from 'node:events'
import t from 'tap'
import { compileScrubber } from '../../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../../src/ingest/prepare-event.js'
import { APPEND_JOB_NAME, toJobEvent } from '../../src/queue/append-job.js'
import type { AuditEventInput } from '../../src/schemas/audit-event.js'
import { recomputeChain } from '../chain-check.js'
import { buildTestApp, countRows, openDatabase, sampleEvent, spawnCli, testConfig, testEnv, waitFor, waitForQueueIdle } from '../helper.js'

t.test('2,000 events (and one job delivered twice) through 2 worker processes at concurrency 8: no fork, no gap, no duplicate', async t => {
  const config = await testConfig(t, { INGEST_BATCH_WINDOW_MS: '0' })
  const app = await buildTestApp(t, config)
  const db = openDatabase(t, config.databaseUrl)

  const workers = [0, 1].map(() => spawnCli('worker', { ...testEnv(config), WORKER_CONCURRENCY: '8', APPEND_BATCH_MAX: '50' }))
  t.teardown(async () => {
    for (const w of workers) {
      if (w.exitCode === null) { w.kill('SIGTERM'); await once(w, 'exit') }
    }
  })

  // Two tenants interleaved, each event its own job, so the workers race on both chains.
  const tenants = ['acme', 'globex']
  const ids: string[] = []
  for (let round = 0; round < 20; round++) {
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => app.inject({
      method: 'POST',
      url: '/audit-events',
      payload: sampleEvent({ tenant: tenants[i % 2], target: { type: 'doc', id: `r${round}-${i}` } })
    })))
    for (const res of responses) {
      t.equal(res.statusCode, 202)
      ids.push(res.json().id)
    }
  }

  // The same job delivered twice, e.g. a producer retry that reached the queue twice.
  const twice = prepareEvent(sampleEvent({ id: '0193a1b2-0000-7000-8000-00000000abcd' }) as AuditEventInput,
    { tenant: 'acme', requestId: 'r', receivedAt: new Date().toISOString(), scrub: compileScrubber() })
  await app.eventQueue.addBulk([0, 1].map(() => ({ name: APPEND_JOB_NAME, data: { events: [toJobEvent(twice)] } })))
  ids.push(twice.id)

  await waitFor(async () => await countRows(db, 'acme') + await countRows(db, 'globex') === 2001, { timeoutMs: 60_000, what: '2,001 rows' })
  await waitForQueueIdle(app.eventQueue)

  for (const tenant of tenants) {
    const chain = await recomputeChain(db, tenant)
    t.same(chain.problems, [], `${tenant}: chain recomputes, seq 1..n without gap or fork`)
    const expected = tenant === 'acme' ? 1001 : 1000
    t.equal(chain.count, expected, `${tenant}: ${expected} rows`)
    t.equal(chain.distinctIds, expected, `${tenant}: no duplicate id`)
  }
  const stored = new Set((await db.selectFrom('audit_events').select('id').execute()).map(r => r.id))
  t.ok(ids.every(id => stored.has(id)), 'every accepted event is stored')
  t.equal((await app.eventQueue.getJobCounts('failed')).failed, 0, 'nothing dead-lettered')
})
