import { waitFor } from '../../helper.js'
import { settleAndCheck } from '../fault-checks.js'
import type { Attempt } from '../event-stream.js'
import type { FaultLab } from '../fault-lab.js'
import type { FaultRow } from '../fault-report.js'
import type { FaultTest } from '../fault-test.js'
import { TENANTS } from './tenants.js'

/**
 * Fault 5: SIGTERM the API under load. It must stop accepting connections, let the requests
 * in flight finish (each either enqueued and answered 202, or answered with an error), and
 * exit 0; no 202 may be given for an event that was not enqueued (the workers keep running,
 * so every 202'd event must end up stored). Then a new API process takes the port again and
 * the producers carry on.
 */
export async function apiSigterm (t: FaultTest, lab: FaultLab, fault: string): Promise<FaultRow> {
  const started = performance.now()
  const s = await lab.scenario(t, 'api-sigterm')
  await s.startAll(2)
  const stream = s.stream({ tenants: TENANTS, concurrency: 16, ratePerSecond: 400, timeoutMs: 15_000 })
  stream.start()
  await waitFor(() => stream.countAccepted() >= 500, { timeoutMs: 30_000, what: '500 accepted' })

  const api = s.api!
  const sigtermAt = performance.now()
  const code = await s.processes.stop(api, 'SIGTERM', 60_000)
  const exitedAt = performance.now()
  t.equal(code, 0, `the API exits 0 after SIGTERM (${((exitedAt - sigtermAt) / 1000).toFixed(1)} s)`)

  // Requests sent before the signal that ended after it: in flight when it came.
  const inFlight = stream.attemptsBetween(0).filter(a => a.sentAt < sigtermAt && a.at >= sigtermAt)
  const kinds = tally(inFlight)
  t.comment(`in flight at SIGTERM: ${JSON.stringify(kinds)}`)
  t.ok(inFlight.length > 0, `${inFlight.length} requests were in flight at SIGTERM`)
  t.ok(inFlight.every(a => a.kind === 'accepted' || a.kind === 'refused'), 'every request in flight at SIGTERM got an HTTP answer (none was cut off)', { kinds })
  const afterClose = stream.attemptsBetween(exitedAt).filter(a => a.kind === 'accepted')
  t.equal(afterClose.length, 0, 'no 202 from a request sent after the API exited')

  await s.startApi()
  const restartedAt = performance.now()
  await waitFor(() => stream.attemptsBetween(restartedAt).filter(a => a.kind === 'accepted').length >= 200,
    { timeoutMs: 30_000, what: '200 accepted by the new API process' })
  await stream.stop()

  const row = await settleAndCheck(t, s, stream, fault, started)
  const refusedConnections = stream.attemptsBetween(0).filter(a => a.kind === 'network' && a.error === 'ECONNREFUSED').length
  row.notes = `${row.notes} (${refusedConnections} connection refused while no API listened); exit ${code} in ${((exitedAt - sigtermAt) / 1000).toFixed(1)} s; in flight at SIGTERM: ${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')}`
  return row
}

function tally (attempts: Attempt[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const a of attempts) {
    const key = a.kind === 'accepted' ? '202' : a.kind === 'refused' ? String(a.status) : a.kind === 'network' ? a.error : a.kind
    out[key] = (out[key] ?? 0) + 1
  }
  return out
}
