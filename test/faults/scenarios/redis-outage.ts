import { waitFor } from '../../helper.js'
import { settleAndCheck } from '../fault-checks.js'
import type { FaultLab } from '../fault-lab.js'
import type { FaultRow } from '../fault-report.js'
import type { FaultTest } from '../fault-test.js'
import { pause } from '../pause.js'
import { isRunning } from '../service-processes.js'
import { TENANTS } from './tenants.js'

const OUTAGE_MS = 10_000

/**
 * Fault 4: stop Redis for 10 s while producers send (SHUTDOWN: the AOF is fsynced, the
 * server exits; started again from the same AOF; see redis-instance.ts). While it is down the
 * API answers 503 with Retry-After (never 202) and /health says 503; once it is back ingest
 * recovers in the same API process, without a restart. No job may end up dead.
 */
export async function redisOutage (t: FaultTest, lab: FaultLab, fault: string): Promise<FaultRow> {
  const started = performance.now()
  const s = await lab.scenario(t, 'redis-outage')
  await s.startAll(2)
  const api = s.api!
  const stream = s.stream({ tenants: TENANTS, concurrency: 8, ratePerSecond: 200, timeoutMs: 10_000 })
  stream.start()
  await waitFor(() => stream.countAccepted() >= 200, { timeoutMs: 30_000, what: '200 accepted' })

  const stopAsked = performance.now()
  await lab.redis.stopServer()
  const downAt = performance.now()
  const health = await waitFor(async () => {
    const res = await fetch(`${s.apiUrl}/health`)
    const body = await res.json() as { status: string }
    return res.status === 503 ? body : undefined
  }, { timeoutMs: OUTAGE_MS, intervalMs: 200, what: '/health to answer 503' })
  t.equal(health.status, 'unavailable', '/health: 503 "unavailable" while Redis is down')
  await pause(OUTAGE_MS - (performance.now() - downAt))
  const startAsked = performance.now()
  await lab.redis.startServer()
  const upAt = performance.now()

  // Attempts sent after Redis was gone that ended before it was started again: 503 + Retry-After each.
  const during = stream.attemptsBetween(downAt, startAsked)
  const refusals = during.filter(a => a.kind === 'refused')
  t.ok(refusals.length > 0, `${refusals.length} requests refused while Redis was down`)
  t.ok(during.every(a => a.kind === 'refused' && a.status === 503 && a.retryAfter !== null),
    'every answer while Redis was down is a 503 with Retry-After', { kinds: count(during.map(a => a.kind === 'refused' ? `${a.status} retry-after=${a.retryAfter}` : a.kind)) })

  const recovered = await waitFor(() => stream.attemptsBetween(upAt).find(a => a.kind === 'accepted'), { timeoutMs: 30_000, what: 'a 202 after Redis is back' })
  const recoveredIn = (recovered.at - upAt) / 1000
  await waitFor(() => stream.attemptsBetween(upAt).filter(a => a.kind === 'accepted').length >= 200, { timeoutMs: 30_000, what: '200 accepted after Redis is back' })
  const healthAfter = await waitFor(async () => (await fetch(`${s.apiUrl}/health`)).status === 200, { timeoutMs: 10_000, intervalMs: 200, what: '/health 200 again' })
  t.ok(healthAfter, '/health is 200 again')
  t.ok(isRunning(api) && s.processes.running('api').length === 1, 'the same API process recovered (no restart)')
  const crashed = await s.replaceCrashed()
  t.same(crashed.map(p => p.name), [], 'every worker and the API survived the outage (replacements started for the checks)')
  await stream.stop()

  const row = await settleAndCheck(t, s, stream, fault, started)
  row.notes = `${row.notes}; Redis down ${((upAt - stopAsked) / 1000).toFixed(1)} s: ${refusals.length} x 503 + Retry-After, ingest back ${recoveredIn.toFixed(1)} s after, 0 dead`
  return row
}

function count (values: string[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const v of values) out[v] = (out[v] ?? 0) + 1
  return out
}
