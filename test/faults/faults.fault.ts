/**
 * The fault suite (`npm run test:faults`): the API and 2 worker processes against a
 * PostgreSQL and a Redis of the suite's own, a steady stream of events with known ids, one
 * fault at a time, then the checks of fault-checks.ts. Prints the report table (and writes
 * test/faults/results/latest.md). One fault alone: `--grep` on its name, e.g.
 * `npx tap --timeout=900 test/faults/faults.fault.ts --grep='3\.'`.
 *
 * Not part of `npm test` (its include is test/**\/*.test.ts): this takes minutes.
 */
import t from 'tap'
import { FaultLab } from './fault-lab.js'
import { writeReport, type FaultRow } from './fault-report.js'
import { allWorkersSigkill } from './scenarios/all-workers-sigkill.js'
import { apiSigterm } from './scenarios/api-sigterm.js'
import { doubleDelivery } from './scenarios/double-delivery.js'
import { postgresOutage } from './scenarios/postgres-outage.js'
import { redisOutage } from './scenarios/redis-outage.js'
import { workerSigkill } from './scenarios/worker-sigkill.js'
import { workersRace } from './scenarios/workers-race.js'

const suiteStarted = performance.now()
const lab = await FaultLab.start()
const rows: FaultRow[] = []

t.teardown(async () => {
  await lab.destroy()
  if (rows.length === 0) return
  const minutes = ((performance.now() - suiteStarted) / 60_000).toFixed(1)
  const table = writeReport(rows, `${new Date().toISOString()}, ${minutes} min, node ${process.version}`)
  t.comment(`fault suite report (${minutes} min):\n${table}`)
})

const faults: Array<[string, typeof workerSigkill]> = [
  ['1. SIGKILL a worker mid-batch, 10 times, restarting it', workerSigkill],
  ['2. SIGKILL all workers, ingest 10 s, restart them', allWorkersSigkill],
  ['3. PostgreSQL stopped for 10 s', postgresOutage],
  ['4. Redis stopped for 10 s', redisOutage],
  ['5. SIGTERM the API under load', apiSigterm],
  ['6. Two workers racing on one tenant, 10,000 events', workersRace],
  ['7. The same events delivered twice', doubleDelivery]
]

for (const [name, run] of faults) {
  t.test(name, async t => { rows.push(await run(t, lab, name.split('.')[0]!)) })
}
