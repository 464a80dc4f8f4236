import type pg from 'pg'

export interface RawInsertResult {
  rows: number
  statements: number
  seconds: number
  rowsPerSecond: number
}

// The store's INSERT (src/store/pg-event-store.ts insertRows), with the table name swapped:
// the same arrays, the same unnest, the same jsonb and query columns derived in PostgreSQL.
const INSERT = (table: string) => `
  INSERT INTO ${table} (tenant, seq, id, prev_hash, hash, canonical, content_digest, tree_nodes,
    record, occurred_at, received_at, action, actor_type, actor_id, target_type, target_id, outcome, request_id)
  SELECT $1, seq, id, prev_hash, hash, canonical, digest, tree_nodes,
    rec, (rec->>'occurred_at')::timestamptz, (rec->>'received_at')::timestamptz, rec->>'action',
    rec->'actor'->>'type', rec->'actor'->>'id', rec->'target'->>'type', rec->'target'->>'id',
    rec->>'outcome', rec->>'request_id'
  FROM (
    SELECT u.*, convert_from(u.canonical, 'UTF8')::jsonb AS rec
    FROM unnest($2::bigint[], $3::uuid[], $4::bytea[], $5::bytea[], $6::bytea[], $7::bytea[], $8::bytea[])
      AS u(seq, id, prev_hash, hash, canonical, digest, tree_nodes)
  ) s`

/**
 * The ceiling of the drain figure: the rows the worker stored, read back (untimed) in pages of
 * `batch` and written (timed) into a table of the same shape, one autocommit statement per
 * page: what PostgreSQL on this machine takes for the same rows in the same statement, with
 * no queue, no lock, no duplicate check and no hashing in front of it.
 */
export async function rawInsertCeiling (client: pg.Client, tenant: string, batch: number): Promise<RawInsertResult> {
  const table = 'audit_events_raw'
  await client.query(`DROP TABLE IF EXISTS ${table}`)
  await client.query(`CREATE TABLE ${table} (LIKE audit_events INCLUDING ALL)`)
  const triggers = await client.query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = '${table}'::regclass`)
  if (triggers.rows[0].n !== 0) throw new Error(`${table} has triggers; drop them before measuring`)

  let seconds = 0
  let rows = 0
  let statements = 0
  for (let after = 0; ;) {
    const page = await client.query({
      text: `SELECT seq, id, prev_hash, hash, canonical, content_digest, tree_nodes
             FROM audit_events WHERE tenant = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      values: [tenant, after, batch]
    })
    if (page.rows.length === 0) break
    const r = page.rows as Array<{ seq: string, id: string, prev_hash: Buffer, hash: Buffer, canonical: Buffer, content_digest: Buffer, tree_nodes: Buffer }>
    const values = [tenant, r.map(x => x.seq), r.map(x => x.id), r.map(x => x.prev_hash), r.map(x => x.hash),
      r.map(x => x.canonical), r.map(x => x.content_digest), r.map(x => x.tree_nodes)]
    const started = performance.now()
    await client.query(INSERT(table), values)
    seconds += (performance.now() - started) / 1000
    rows += r.length
    statements++
    after = Number(r[r.length - 1]!.seq)
  }
  return { rows, statements, seconds, rowsPerSecond: rows / seconds }
}
