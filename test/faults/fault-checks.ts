import { sql } from 'kysely'
import { ADMIN_AUTH, waitFor } from '../helper.js'
import { recomputeChain } from '../chain-check.js'
import { isAccepted, type EventStream } from './event-stream.js'
import type { FaultRow } from './fault-report.js'
import type { FaultScenario } from './fault-lab.js'
import type { FaultTest } from './fault-test.js'
import { isRunning, tail } from './service-processes.js'

export interface SettleOptions {
  /** How long the backlog may take to drain (stalled jobs come back after BullMQ's lock expires). */
  timeoutMs?: number
  /** Failed (dead-lettered) jobs this fault is expected to leave. */
  expectedDeadLetters?: number
  notes?: string[]
}

const PENDING_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const

/**
 * After a fault was healed: waits until every accepted event is stored and the queue has
 * drained, then checks what the issue asks of every fault and returns the report row.
 *
 * - every event that got a 202 is stored exactly once (counted per id in PostgreSQL);
 * - no event is stored twice, whatever its answer was (counted over the whole table);
 * - every tenant's chain and Merkle tree recompute from the stored bytes (recomputeChain), and
 *   GET /verify (bytes, chain, tree, every signed checkpoint) says valid;
 * - nothing is left in the queue but the expected dead letters.
 */
export async function settleAndCheck (t: FaultTest, s: FaultScenario, stream: EventStream, fault: string, started: number, options: SettleOptions = {}): Promise<FaultRow> {
  const { timeoutMs = 120_000, expectedDeadLetters = 0, notes = [] } = options
  const sent = [...stream.events.values()]
  const acceptedIds = sent.filter(isAccepted).map(e => e.id)
  const allIds = sent.map(e => e.id)

  const storedCount = async (ids: string[]) => {
    const row = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events WHERE id = ANY(${ids}::uuid[])`.execute(s.db)
    return row.rows[0]!.n
  }
  const pending = async () => {
    const counts = await s.queue.getJobCounts(...PENDING_STATES)
    return PENDING_STATES.reduce((sum, state) => sum + (counts[state] ?? 0), 0)
  }
  const drained = async () => await pending() === 0

  const crashed = s.processes.crashed()
  t.same(crashed.map(p => `${p.name} exited ${p.child.exitCode ?? p.child.signalCode}`), [], 'no API or worker process died by itself',
    { logs: Object.fromEntries(crashed.map(p => [p.name, tail(p.logFile, 12)])) })
  const settleStart = performance.now()
  try {
    await waitFor(async () => await storedCount(acceptedIds) >= acceptedIds.length && await drained(),
      { timeoutMs, intervalMs: 250, what: `${acceptedIds.length} accepted events stored and the queue drained` })
  } catch (err) {
    t.fail((err as Error).message, { counts: await s.queue.getJobCounts(...PENDING_STATES, 'failed'), stored: await storedCount(acceptedIds) })
    await diagnose(t, s)
  }

  t.comment(`settled in ${((performance.now() - settleStart) / 1000).toFixed(1)} s`)
  // GET /verify per tenant: the service's own full check (it appends an audit.verify event).
  const tenants = [...new Set(sent.map(e => e.tenant))].sort()
  let apiValid = true
  for (const tenant of tenants) {
    const res = await fetch(`${s.apiUrl}/verify?tenant=${tenant}`, { headers: ADMIN_AUTH })
    const body = await res.json() as { valid: boolean, checked: number, first_error: unknown }
    apiValid &&= res.status === 200 && body.valid
    t.ok(res.status === 200 && body.valid, `${tenant}: GET /verify is valid (${body.checked} records)`, { body })
  }
  await waitFor(drained, { timeoutMs: 30_000, intervalMs: 100, what: 'the audit.verify events to be stored' })

  // Every row, grouped by (tenant, id): a count above 1 would be a duplicate.
  const grouped = await sql<{ id: string, n: number }>`SELECT id, count(*)::int AS n FROM audit_events GROUP BY tenant, id`.execute(s.db)
  const rowsById = new Map(grouped.rows.map(r => [r.id, r.n]))
  const duplicates = grouped.rows.reduce((sum, r) => sum + r.n - 1, 0)
  const lost = acceptedIds.filter(id => !rowsById.has(id))
  const stored = allIds.filter(id => rowsById.has(id)).length
  const unackedStored = sent.filter(e => !isAccepted(e) && rowsById.has(e.id)).length

  t.same(stream.protocolErrors, [], 'every 202 names the id that was sent')
  t.equal(lost.length, 0, `every one of the ${acceptedIds.length} accepted events is stored`, { lost: lost.slice(0, 20) })
  t.ok(acceptedIds.every(id => rowsById.get(id) === 1), 'each accepted event exactly once')
  t.equal(duplicates, 0, 'no event is stored twice (errors and timeouts included)')

  let chainValid = apiValid
  const storedTenants = (await s.db.selectFrom('chain_heads').select('tenant').execute()).map(r => r.tenant)
  for (const tenant of new Set([...tenants, ...storedTenants])) {
    const chain = await recomputeChain(s.db, tenant)
    chainValid &&= chain.problems.length === 0 && chain.count === chain.distinctIds
    t.same(chain.problems, [], `${tenant}: ${chain.count} rows, seq 1..n, chain and tree recompute, head matches`)
  }

  const counts = await s.queue.getJobCounts(...PENDING_STATES, 'failed')
  for (const state of PENDING_STATES) t.equal(counts[state] ?? 0, 0, `no ${state} job left`)
  const failed = await s.queue.getFailed(0, 20)
  t.equal(counts.failed ?? 0, expectedDeadLetters, `dead letters: ${expectedDeadLetters} expected`,
    { reasons: failed.map(j => `${j.id}: ${j.failedReason} (attempts ${j.attemptsMade})`) })

  if (lost.length > 0 || !chainValid) await diagnose(t, s)
  const errors = sent.filter(e => !isAccepted(e)).length
  const extra = [`${errors} not acked`, ...(crashed.length > 0 ? [`CRASHED: ${crashed.map(p => p.name).join(', ')}`] : []), ...(unackedStored > 0 ? [`${unackedStored} of them stored once`] : []), ...notes]
  return {
    fault,
    sent: sent.length,
    accepted: acceptedIds.length,
    stored,
    duplicates,
    lost: lost.length,
    chainValid,
    seconds: (performance.now() - started) / 1000,
    notes: extra.join('; ')
  }
}

/** What a stuck or failed scenario's processes and backends were doing, as TAP comments. */
async function diagnose (t: FaultTest, s: FaultScenario): Promise<void> {
  for (const p of s.processes.all()) {
    const state = isRunning(p) ? 'running' : `exited ${p.child.exitCode ?? p.child.signalCode}`
    t.comment(`--- ${p.name} (pid ${p.child.pid}, ${state}) log tail ---\n${tail(p.logFile, 40)}`)
  }
  const backends = await sql<Record<string, unknown>>`
    SELECT pid, client_port, application_name, state, wait_event_type, wait_event, xact_start, state_change, left(query, 120) AS query
    FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`.execute(s.db).catch(err => ({ rows: [{ error: String(err) }] }))
  t.comment(`--- pg_stat_activity ---\n${backends.rows.map(r => JSON.stringify(r)).join('\n')}`)
  const active = await s.queue.getActive(0, 10)
  t.comment(`--- active jobs ---\n${active.map(j => `${j.id} attempts ${j.attemptsMade} started ${j.processedOn} events ${j.data.events.length}`).join('\n')}`)
}
