import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { waitFor } from '../../helper.js'
import { settleAndCheck } from '../fault-checks.js'
import type { FaultLab } from '../fault-lab.js'
import type { FaultRow } from '../fault-report.js'
import type { FaultTest } from '../fault-test.js'
import { pause, randomMs } from '../pause.js'
import { WorkerInTransaction } from '../worker-in-transaction.js'
import { TENANTS } from './tenants.js'

const KILLS = 10

/** PostgreSQL logs this when a client dies with a transaction open: a kill mid-batch. */
const OPEN_TX_EOF = /unexpected EOF on client connection with an open transaction/g

function openTransactionEofs (pgDir: string): number {
  return (readFileSync(join(pgDir, 'postgres.log'), 'utf8').match(OPEN_TX_EOF) ?? []).length
}

/**
 * Fault 1: SIGKILL a worker in the middle of a batch, 10 times at random moments, restarting
 * it each time. At each random moment the suite waits (briefly) for a worker with an append
 * transaction open and kills that one; PostgreSQL's log then proves the kill hit a batch.
 * The killed worker's jobs come back once their BullMQ lock expires.
 */
export async function workerSigkill (t: FaultTest, lab: FaultLab, fault: string): Promise<FaultRow> {
  const started = performance.now()
  const s = await lab.scenario(t, 'worker-sigkill')
  await s.startAll(2)
  const stream = s.stream({ tenants: TENANTS, concurrency: 8, ratePerSecond: 200 })
  stream.start()
  await waitFor(() => stream.countAccepted() >= 200, { timeoutMs: 30_000, what: '200 accepted' })

  const eofsBefore = openTransactionEofs(lab.pg.dir)
  const finder = new WorkerInTransaction(s.db, lab.pg.port)
  let targeted = 0
  for (let i = 0; i < KILLS; i++) {
    await pause(randomMs(200, 1500))
    const workers = s.processes.running('worker')
    let victim
    const deadline = performance.now() + 5000
    while (victim === undefined && performance.now() < deadline) victim = await finder.find(workers)
    if (victim !== undefined) targeted++
    victim ??= workers[Math.floor(Math.random() * workers.length)]!
    await s.processes.stop(victim, 'SIGKILL')
    await s.startWorker()
    t.comment(`kill ${i + 1} at ${((performance.now() - started) / 1000).toFixed(1)} s`)
  }
  await waitFor(() => stream.countAccepted() >= 200 + KILLS * 50, { timeoutMs: 30_000, what: 'the stream to go on' })
  await stream.stop()
  const midBatch = openTransactionEofs(lab.pg.dir) - eofsBefore
  t.equal(targeted, KILLS, `each of the ${KILLS} kills found a worker with an append transaction open`)
  t.ok(midBatch >= 1, `PostgreSQL saw the killed workers drop ${midBatch} open transactions`)

  return await settleAndCheck(t, s, stream, fault, started, {
    notes: [`${KILLS} kills, each mid-transaction (${midBatch} open transactions dropped)`]
  })
}
