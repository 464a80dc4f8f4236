import { sql, type Kysely } from 'kysely'
import t from 'tap'
import type { Database } from '../../src/store/database.js'
import { compileScrubber } from '../../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../../src/ingest/prepare-event.js'
import type { AuditEventInput } from '../../src/schemas/audit-event.js'
import { PgEventStore } from '../../src/store/pg-event-store.js'
import { PgStoredIdLookup } from '../../src/store/pg-stored-id-lookup.js'
import { tenantFilter } from '../../src/store/tenant-filter.js'
import { queuedOf, createTestDatabase, openDatabase, sampleEvent, waitFor } from '../helper.js'

// Rows generated inside PostgreSQL, as bench/measure-reads.ts does: only the columns matter here.
async function addRows (db: Kysely<Database>, tenant: string, count: number): Promise<void> {
  await sql`
    INSERT INTO audit_events (tenant, seq, id, prev_hash, hash, canonical, record, content_digest, tree_nodes,
      occurred_at, received_at, action, actor_type, actor_id, target_type, target_id, outcome, request_id)
    SELECT ${tenant}, s, gen_random_uuid(), sha256(('p' || s)::bytea), sha256(('h' || s)::bytea), '\\x7b7d', '{}',
      sha256(('d' || s)::bytea), sha256(('n' || s)::bytea), now(), now(), 'doc.view', 'user', 'u' || (s % 100),
      'doc', 'd' || (s % 50), 'success', 'req-' || s
    FROM generate_series(1, ${count}::int) s`.execute(db)
}

async function plan (db: Kysely<Database>, query: { sql: string, parameters: readonly unknown[] }): Promise<string> {
  const { rows } = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (COSTS OFF) ${sql.raw(query.sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const value = query.parameters[Number(n) - 1]
    return typeof value === 'number' ? String(value) : `'${String(value)}'`
  }))}`.execute(db)
  return rows.map(r => r['QUERY PLAN']).join('\n')
}

t.test('lookups by id use the unique (id, tenant) key even when a tenant grew since ANALYZE', async t => {
  const db = openDatabase(t, await createTestDatabase(t))
  // The statistics see only the tenant "old"; then "new" grows without a new ANALYZE, so the
  // planner believes it has about one row and every (tenant, ...) index looks as cheap.
  await sql`ALTER TABLE audit_events SET (autovacuum_enabled = false)`.execute(db)
  await addRows(db, 'old', 2_000)
  await sql`ANALYZE audit_events`.execute(db)
  await addRows(db, 'new', 20_000)
  const { id } = await db.selectFrom('audit_events').select('id').where('tenant', '=', 'new').where('seq', '=', 1234).executeTakeFirstOrThrow()

  const naive = await plan(db, db.selectFrom('audit_events').select('seq').where('tenant', '=', 'new').where('id', '=', id).compile())
  t.comment(`with tenant = $1 the planner may pick any (tenant, ...) index:\n${naive}`)

  const byId = await plan(db, db.selectFrom('audit_events').select('seq').where('id', '=', id).where(tenantFilter('new')).compile())
  t.match(byId, /Index Scan using audit_events_id_tenant_key/, 'one id: the unique (id, tenant) key')
  t.match(byId, /Index Cond: \(id = /, 'probed by id')

  // The shape of the append's check of its batch's ids (src/store/pg-event-store.ts).
  const ids = await plan(db, sql`SELECT e.seq FROM unnest(ARRAY['${sql.raw(id)}'::uuid, gen_random_uuid()]) AS k(id)
    CROSS JOIN LATERAL (SELECT seq FROM audit_events WHERE id = k.id AND ${tenantFilter('new')}) e`.compile(db))
  t.match(ids, /Index Scan using audit_events_id_tenant_key/, 'a batch of ids: one probe of the key each')
  t.notMatch(ids, /Seq Scan on audit_events/)

  const found = await db.selectFrom('audit_events').select(['seq', 'tenant']).where('id', '=', id).where(tenantFilter('new')).execute()
  t.same(found, [{ seq: 1234, tenant: 'new' }], 'the right row')
  t.same(await db.selectFrom('audit_events').select('seq').where('id', '=', id).where(tenantFilter('old')).execute(), [], 'and not another tenant\'s')
})

t.test('a tenant that grows 4× past 1,024 events has its statistics refreshed by the store', async t => {
  const db = openDatabase(t, await createTestDatabase(t))
  await sql`ALTER TABLE audit_events SET (autovacuum_enabled = false)`.execute(db)
  await addRows(db, 'old', 2_000)
  await sql`ANALYZE audit_events`.execute(db)
  const analyzedAt = async () => (await sql<{ at: Date | null }>`
    SELECT last_analyze AS at FROM pg_stat_user_tables WHERE relname = 'audit_events'`.execute(db)).rows[0]?.at?.getTime() ?? 0
  const first = await analyzedAt()

  const store = new PgEventStore(db)
  const scrub = compileScrubber()
  const events = Array.from({ length: 1_100 }, (_, i) => queuedOf(prepareEvent(sampleEvent({ target: { type: 'doc', id: `d${i}` } }) as AuditEventInput,
    { tenant: 'new', requestId: `r${i}`, receivedAt: new Date().toISOString(), scrub })))
  for (let i = 0; i < events.length; i += 500) await store.append('new', events.slice(i, i + 500))

  await waitFor(async () => await analyzedAt() > first, { what: 'an ANALYZE after the tenant passed 1,024 events' })
  // last_analyze moves before that ANALYZE commits what it found: wait for the statistics themselves.
  const tenantStats = async () => (await sql<{ vals: string | null }>`
    SELECT most_common_vals::text AS vals FROM pg_stats WHERE tablename = 'audit_events' AND attname = 'tenant'`.execute(db)).rows[0]?.vals ?? ''
  t.match(await waitFor(async () => /new/.test(await tenantStats()) && await tenantStats(), { what: 'the new tenant in the statistics' }), /new/,
    'the planner now knows the tenant')
  const bySeq = await plan(db, db.selectFrom('audit_events').select('hash').where('tenant', '=', 'new').where('seq', '=', 1000).compile())
  t.match(bySeq, /Index (Only )?Scan using audit_events_pkey/, 'and a lookup by seq takes the primary key')
})

t.test('the API\'s lookup of ids Redis forgot probes the unique (id, tenant) key, and finds only that tenant\'s', async t => {
  const db = openDatabase(t, await createTestDatabase(t))
  await sql`ALTER TABLE audit_events SET (autovacuum_enabled = false)`.execute(db)
  await addRows(db, 'old', 2_000)
  await sql`ANALYZE audit_events`.execute(db)
  await addRows(db, 'new', 20_000)
  const { id } = await db.selectFrom('audit_events').select('id').where('tenant', '=', 'new').where('seq', '=', 77).executeTakeFirstOrThrow()
  // The shape of src/store/pg-stored-id-lookup.ts.
  const shape = await plan(db, sql`SELECT e.id FROM unnest(ARRAY['${sql.raw(id)}'::uuid, gen_random_uuid()], ARRAY['new', 'old']::text[]) AS k(id, tenant)
    CROSS JOIN LATERAL (SELECT id FROM audit_events WHERE id = k.id AND (tenant || '') = k.tenant LIMIT 1) e`.compile(db))
  t.match(shape, /Index (Only )?Scan using audit_events_id_tenant_key/)
  t.match(shape, /Index Cond: \(id = k\.id\)/, 'probed by id')
  t.notMatch(shape, /Seq Scan on audit_events/)
  const found = await new PgStoredIdLookup(db).find([{ tenant: 'new', id }, { tenant: 'old', id }])
  t.same(found.map(f => [f.tenant, f.id]), [['new', id]], 'one row, for its own tenant')
})
