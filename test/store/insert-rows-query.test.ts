import { sql } from 'kysely'
import t from 'tap'
import { ChainBatch, genesisHash, type Row } from '../../src/core/chain/index.js'
import { compileScrubber } from '../../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../../src/ingest/prepare-event.js'
import type { AuditEventInput } from '../../src/schemas/audit-event.js'
import { insertRowsQuery } from '../../src/store/insert-rows-query.js'
import { insertRows } from '../../src/store/pg-event-store.js'
import { createTestDatabase, openDatabase, queuedOf, sampleEvent } from '../helper.js'

// Records of different lengths (multi-byte text, no target, a request id of the event's own),
// so that a row cut at the wrong place could not go unnoticed.
function rows (count: number): Row[] {
  const scrub = compileScrubber()
  const events = Array.from({ length: count }, (_, i) => queuedOf(prepareEvent(sampleEvent({
    actor: { type: i % 3 === 0 ? 'service' : 'user', id: `u_${i}`, name: 'Ådá Lövelace ✓'.repeat(i % 4) || 'A' },
    ...(i % 5 === 0 ? { target: undefined } : { target: { type: 'doc', id: `d_${i}` } }),
    ...(i % 7 === 0 && { request_id: `own-${i}` }),
    outcome: i % 2 === 0 ? 'success' : 'failure',
    occurred_at: new Date(Date.UTC(2026, 10, 26, 12, 0, i)).toISOString()
  }) as AuditEventInput, { tenant: 'acme', requestId: `r${i}`, receivedAt: '2026-11-26T12:01:00.000Z', scrub })))
  const batch = new ChainBatch('acme', { size: 0, headHash: genesisHash(), frontier: Buffer.alloc(0) })
  batch.add(events)
  return batch.rows
}

t.test('every column of every row is stored as given, and the query columns are read from the record', async t => {
  const db = openDatabase(t, await createTestDatabase(t))
  const given = rows(40)
  await insertRows(db, 'acme', given)
  const stored = await db.selectFrom('audit_events').selectAll().where('tenant', '=', 'acme').orderBy('seq').execute()
  t.equal(stored.length, given.length)
  for (const [i, row] of stored.entries()) {
    const g = given[i]!
    const record = JSON.parse(g.canonical.toString('utf8')) as Record<string, any>
    t.same({
      seq: row.seq,
      id: row.id,
      prev_hash: row.prev_hash.equals(g.prevHash),
      hash: row.hash.equals(g.hash),
      canonical: row.canonical.equals(g.canonical),
      content_digest: row.content_digest.equals(g.digest),
      tree_nodes: row.tree_nodes.equals(g.treeNodes),
      record: row.record
    }, { seq: g.seq, id: g.id, prev_hash: true, hash: true, canonical: true, content_digest: true, tree_nodes: true, record }, `row ${g.seq}`)
    t.same([row.action, row.actor_type, row.actor_id, row.target_type, row.target_id, row.outcome, row.request_id, new Date(row.occurred_at).toISOString(), new Date(row.received_at).toISOString()],
      [record.action, record.actor.type, record.actor.id, record.target?.type ?? null, record.target?.id ?? null, record.outcome, record.request_id, new Date(record.occurred_at).toISOString(), new Date(record.received_at).toISOString()],
      `row ${g.seq}: query columns`)
  }
  const { rows: [check] } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_events WHERE convert_from(canonical, 'UTF8')::jsonb <> record`.execute(db)
  t.equal(check!.n, 0, 'record is the canonical bytes parsed')
})

t.test('a hash that is not 32 bytes is refused before anything is sent', async t => {
  const [row] = rows(1)
  t.throws(() => insertRowsQuery('audit_events', 'acme', [{ ...row!, digest: Buffer.alloc(31) }]), /32 bytes/)
  t.throws(() => insertRowsQuery('audit_events; DROP TABLE x', 'acme', [row!]), /not a table name/)
})
