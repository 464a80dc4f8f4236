import { Migrator, sql, type Kysely } from 'kysely'
import t from 'tap'
import { migrations } from '../../migrations/index.js'
import type { Database } from '../../src/store/database.js'
import { PgEventReader } from '../../src/store/pg-event-reader.js'
import { createTestDatabase, openDatabase } from '../helper.js'

async function readIndexes (db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ def: string }>`
    SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
    WHERE i.indrelid = 'audit_events'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
    ORDER BY 1`.execute(db)
  return rows.map(r => r.def.replace('ON public.audit_events USING btree ', ''))
}

t.test('0006 replaces three read indexes on a table with rows, and its down migration brings them back', async t => {
  const db = openDatabase(t, await createTestDatabase(t))
  t.same(await readIndexes(db), [
    'CREATE INDEX audit_events_action_idx (tenant, action text_pattern_ops, seq)',
    'CREATE INDEX audit_events_actor_id_idx (tenant, actor_id, seq)',
    "CREATE INDEX audit_events_actor_type_rare_idx (tenant, actor_type, seq) WHERE (actor_type <> 'user'::text)",
    'CREATE INDEX audit_events_occurred_at_idx (tenant, occurred_at, seq)',
    "CREATE INDEX audit_events_outcome_rare_idx (tenant, outcome, seq) WHERE (outcome <> 'success'::text)",
    'CREATE INDEX audit_events_received_at_idx (tenant, received_at, seq)',
    'CREATE INDEX audit_events_request_id_idx (tenant, request_id, seq) WHERE (request_id IS NOT NULL)',
    'CREATE INDEX audit_events_target_id_idx (tenant, target_id, seq)'
  ])

  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const down = await migrator.migrateTo('0005-api-key-revocation-is-final')
  t.error(down.error)
  t.same(down.results?.map(r => [r.migrationName, r.direction, r.status]).at(-1), ['0006-read-indexes-by-measurement', 'Down', 'Success'])
  await sql`
    INSERT INTO audit_events (tenant, seq, id, prev_hash, hash, canonical, record, content_digest, tree_nodes,
      occurred_at, received_at, action, actor_type, actor_id, target_type, target_id, outcome, request_id)
    SELECT 'acme', s, gen_random_uuid(), sha256(('p' || s)::bytea), sha256(('h' || s)::bytea), '\\x7b7d', '{}',
      sha256(('d' || s)::bytea), sha256(('n' || s)::bytea), now(), now(), 'doc.view',
      CASE WHEN s % 10 = 0 THEN 'service' ELSE 'user' END, 'u' || (s % 7), 'doc', 'd' || (s % 5),
      CASE WHEN s % 4 = 0 THEN 'failure' ELSE 'success' END, 'req-' || s
    FROM generate_series(1, 2000) s`.execute(db)
  const before = await readIndexes(db)
  t.ok(before.includes('CREATE INDEX audit_events_target_idx (tenant, target_type, target_id, seq)'), 'down: the index of 0003 is back')
  t.notOk(before.some(d => d.includes('_rare_idx')), 'down: no partial index left')

  const reader = new PgEventReader(db)
  const filters = [{ actorType: 'service' }, { actorType: 'user' }, { outcome: 'failure' }, { outcome: 'success' }, { targetType: 'doc', targetId: 'd3' }]
  const pages = async () => await Promise.all(filters.flatMap(f => (['asc', 'desc'] as const).map(order => reader.list('acme', f, { order, limit: 101 }))))
  const expected = await pages()

  const up = await migrator.migrateTo('0006-read-indexes-by-measurement')
  t.error(up.error)
  t.equal((await readIndexes(db)).length, 8, 'up again, on a table with rows')
  t.same(await pages(), expected, 'the same pages from the new indexes')
})
