import { CompiledQuery } from 'kysely'
import type { Row } from '../core/chain/index.js'

/**
 * The one statement that writes a batch of rows: arrays in, unnest, and the jsonb copy and
 * query columns derived by PostgreSQL from the canonical bytes, so the record crosses the wire
 * once. `table` is `audit_events`, or a table of its shape (the bench's raw-insert ceiling).
 *
 * `OFFSET 0` keeps PostgreSQL from pulling the subquery up into the SELECT: pulled up, `rec` is
 * not a column but its expression, copied into each of the ten places that use it, and every
 * record was parsed into jsonb ten times (two thirds of the statement's time with the keys only).
 */
export function insertRowsQuery (table: string, tenant: string, rows: readonly Row[]): CompiledQuery {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a table name: ${table}`)
  return CompiledQuery.raw(`
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
      OFFSET 0
    ) s`, [tenant, rows.map(r => r.seq), rows.map(r => r.id), rows.map(r => r.prevHash), rows.map(r => r.hash),
    rows.map(r => r.canonical), rows.map(r => r.digest), rows.map(r => r.treeNodes)])
}
