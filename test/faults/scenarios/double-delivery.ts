import { recordSha256 } from '../../../src/proofs/record-sha256.js'
import { waitFor } from '../../helper.js'
import { settleAndCheck } from '../fault-checks.js'
import { isAccepted } from '../event-stream.js'
import type { FaultLab } from '../fault-lab.js'
import type { FaultRow } from '../fault-report.js'
import type { FaultTest } from '../fault-test.js'
import { randomMs } from '../pause.js'
import { TENANTS } from './tenants.js'

const EVENTS = 2000
const FORGOTTEN = 300

/**
 * Fault 7: the same events delivered twice. Three ways a producer repeats itself:
 * 1. it gives up on a request after a short timeout (1-40 ms, so some of those requests
 *    were enqueued and some not) and sends the same id and content again;
 * 2. every 5th event is sent twice at once, concurrently;
 * 3. after the API has forgotten the ids (their idempotency keys deleted, as when
 *    IDEMPOTENCY_TTL_SECONDS ran out), 300 accepted events are sent once more: the API
 *    enqueues them again and only the worker's (tenant, id) check stands between them and a
 *    second row.
 * Every id must be stored exactly once.
 */
export async function doubleDelivery (t: FaultTest, lab: FaultLab, fault: string): Promise<FaultRow> {
  const started = performance.now()
  const s = await lab.scenario(t, 'double-delivery')
  await s.startAll(2)
  const stream = s.stream({
    tenants: TENANTS,
    concurrency: 8,
    ratePerSecond: 200,
    maxRequests: EVENTS,
    timeoutMs: 10_000,
    firstAttemptTimeoutMs: () => Math.round(randomMs(1, 40)),
    maxAttempts: 6,
    twinEvery: 5
  })
  stream.start()
  await stream.finished()
  const events = [...stream.events.values()]
  const timedOutThenRetried = events.filter(e => e.attempts[0]?.kind === 'timeout' && isAccepted(e)).length
  t.ok(timedOutThenRetried > 0, `${timedOutThenRetried} events timed out on the first try and were sent again`)

  // The API forgets: delete the idempotency keys of some stored events, then deliver them again.
  const stored = async (ids: string[]) => (await s.db.selectFrom('audit_events').select('id').where('id', 'in', ids).execute()).length
  const again = events.filter(isAccepted).slice(0, FORGOTTEN)
  await waitFor(async () => await stored(again.map(e => e.id)) === again.length, { timeoutMs: 60_000, what: 'the first deliveries stored' })
  await s.redis.del(...again.map(e => `${s.env.QUEUE_PREFIX}:idem:${e.tenant}:${e.id}`))
  const redelivered = await Promise.all(again.map(e => stream.deliver(e)))
  // Redis forgot them, PostgreSQL has them: answered from the stored records, never enqueued again.
  const duplicates = redelivered.filter(a => a.kind === 'accepted' && a.duplicate).length
  t.equal(duplicates, FORGOTTEN, `all ${FORGOTTEN} re-deliveries answered as duplicates (202, duplicate: true) from the stored records once Redis forgot the ids`)

  const row = await settleAndCheck(t, s, stream, fault, started)

  // Receipts: every 202, the re-deliveries after Redis forgot included, must be for the record
  // that is stored.
  const rows = await s.db.selectFrom('audit_events').select(['id', 'record']).execute()
  const storedSha = new Map(rows.map(r => [r.id, recordSha256(r.record as Record<string, unknown>).toString('base64')]))
  const mismatched = events.filter(e => isAccepted(e) && e.attempts.some(a => a.kind === 'accepted' && a.recordSha256 !== storedSha.get(e.id)))
  const attempts = events.reduce((n, e) => n + e.attempts.length, 0)
  const duplicateAnswers = events.reduce((n, e) => n + e.attempts.filter(a => a.kind === 'accepted' && a.duplicate).length, 0)
  // Known limitation, reported in the table rather than asserted: two concurrent first
  // deliveries of one id (MGET, enqueue, SET NX is not atomic) can both be answered as new,
  // each with its own receipt; the worker stores one, so one receipt matches no stored record.
  // Every event is still stored exactly once (asserted above).
  row.notes = `${row.notes}; ${attempts + FORGOTTEN} deliveries of ${EVENTS} ids: ${timedOutThenRetried} retried after a timeout, ${duplicateAnswers} answered duplicate, ${FORGOTTEN} re-sent after Redis forgot; ${mismatched.length} receipts not matching the stored record`
  return row
}
