import { readFileSync } from 'node:fs'
import { waitFor } from '../../helper.js'
import { settleAndCheck } from '../fault-checks.js'
import type { FaultLab } from '../fault-lab.js'
import type { FaultRow } from '../fault-report.js'
import type { FaultTest } from '../fault-test.js'
import { pause } from '../pause.js'
import { WorkerInTransaction } from '../worker-in-transaction.js'
import { TENANTS } from './tenants.js'

const OUTAGE_MS = 10_000

/**
 * Fault 3: stop PostgreSQL (`pg_ctl stop -m immediate`: every connection drops, open
 * transactions are lost) for 10 s while the workers run, then start it again (crash
 * recovery). Ingest goes on (events wait in Redis; /health says 200 "degraded"); append jobs
 * fail and retry with backoff (JOB_ATTEMPTS 20, JOB_BACKOFF_MS 250 doubling: 10 s is about
 * 6 attempts), and none may end up dead.
 */
export async function postgresOutage (t: FaultTest, lab: FaultLab, fault: string): Promise<FaultRow> {
  const started = performance.now()
  const s = await lab.scenario(t, 'postgres-outage')
  const workers = await s.startAll(2)
  const stream = s.stream({ tenants: TENANTS, concurrency: 8, ratePerSecond: 200 })
  stream.start()
  await waitFor(() => stream.countAccepted() >= 200, { timeoutMs: 30_000, what: '200 accepted' })

  // The worst moment: a worker holds a connection with an append transaction open.
  const finder = new WorkerInTransaction(s.db, lab.pg.port)
  const deadline = performance.now() + 3000
  while (performance.now() < deadline && await finder.find(workers) === undefined);
  await lab.pg.stopServer('immediate')
  const downAt = performance.now()
  const acceptedAtStop = stream.countAccepted()
  const health = await waitFor(async () => {
    const res = await fetch(`${s.apiUrl}/health`)
    const body = await res.json() as { status: string, checks: { postgres: { status: string } } }
    return body.checks.postgres.status === 'down' ? { code: res.status, body } : undefined
  }, { timeoutMs: OUTAGE_MS, intervalMs: 200, what: '/health to see PostgreSQL down' })
  t.equal(health.code, 200, '/health answers 200 while PostgreSQL is down (ingest still works)')
  t.equal(health.body.status, 'degraded', '/health says "degraded"')
  await pause(OUTAGE_MS - (performance.now() - downAt))
  const acceptedWhileDown = stream.countAccepted() - acceptedAtStop
  await lab.pg.startServer()
  const outage = (performance.now() - downAt) / 1000
  t.ok(acceptedWhileDown > 0, `${acceptedWhileDown} events accepted while PostgreSQL was down`)
  const crashed = await s.replaceCrashed()
  t.same(crashed.map(p => p.name), [], 'every worker and the API survived the outage (replacements started for the checks)')

  await waitFor(() => stream.countAccepted() >= acceptedAtStop + acceptedWhileDown + 200, { timeoutMs: 30_000, what: 'the stream to go on' })
  await stream.stop()
  const row = await settleAndCheck(t, s, stream, fault, started)
  // The workers logged each failed attempt ("append job failed"); every job still completed.
  const retried = workers.reduce((n, w) => n + (readFileSync(w.logFile, 'utf8').match(/append job failed/g) ?? []).length, 0)
  t.ok(retried > 0, `${retried} append attempts failed during the outage and were retried`)
  row.notes = `${row.notes}; PostgreSQL down ${outage.toFixed(1)} s, ${acceptedWhileDown} accepted meanwhile, ${retried} failed attempts retried, 0 dead`
  return row
}
