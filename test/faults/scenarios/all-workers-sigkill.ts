import { waitFor } from '../../helper.js'
import { settleAndCheck } from '../fault-checks.js'
import type { FaultLab } from '../fault-lab.js'
import type { FaultRow } from '../fault-report.js'
import type { FaultTest } from '../fault-test.js'
import { pause } from '../pause.js'
import { TENANTS } from './tenants.js'

const OUTAGE_MS = 10_000

/**
 * Fault 2: SIGKILL every worker, keep ingesting for 10 s (nothing is stored, the backlog
 * grows in Redis), then start 2 workers: the backlog drains, including the jobs the killed
 * workers held (they come back when their BullMQ locks expire).
 */
export async function allWorkersSigkill (t: FaultTest, lab: FaultLab, fault: string): Promise<FaultRow> {
  const started = performance.now()
  const s = await lab.scenario(t, 'all-workers-sigkill')
  await s.startAll(2)
  const stream = s.stream({ tenants: TENANTS, concurrency: 8, ratePerSecond: 200 })
  stream.start()
  await waitFor(() => stream.countAccepted() >= 200, { timeoutMs: 30_000, what: '200 accepted' })
  await waitFor(async () => (await s.queue.getActiveCount()) > 0, { timeoutMs: 10_000, intervalMs: 5, what: 'a job in hand' })

  await Promise.all(s.processes.running('worker').map(w => s.processes.stop(w, 'SIGKILL')))
  const killedAt = performance.now()
  const acceptedAtKill = stream.countAccepted()
  const countRows = async () => Number((await s.db.selectFrom('audit_events').select(eb => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)
  const rowsAtKill = await countRows()
  await pause(OUTAGE_MS)

  const backlog = await s.queue.getJobCounts('waiting', 'active')
  const acceptedWhileDown = stream.countAccepted() - acceptedAtKill
  t.ok(acceptedWhileDown > 0, `${acceptedWhileDown} events accepted while no worker ran`)
  t.equal(await countRows(), rowsAtKill, 'nothing was stored while no worker ran')
  t.ok((backlog.waiting ?? 0) > 0, `backlog: ${backlog.waiting} jobs waiting, ${backlog.active} held by dead workers`)

  await s.startWorkers(2)
  const restartedAfter = (performance.now() - killedAt) / 1000
  await waitFor(() => stream.countAccepted() >= acceptedAtKill + acceptedWhileDown + 200, { timeoutMs: 30_000, what: 'the stream to go on' })
  await stream.stop()

  return await settleAndCheck(t, s, stream, fault, started, {
    notes: [`backlog ${backlog.waiting} jobs after ${restartedAfter.toFixed(0)} s without workers, ${backlog.active} of them held by the killed workers`]
  })
}
