import { CompiledQuery } from 'kysely'
import type { Row } from '../core/chain/index.js'

const HASH_BYTES = 32

/**
 * The one statement that writes a batch of rows, with the jsonb copy and query columns
 * derived by PostgreSQL from the canonical bytes, so the record crosses the wire once.
 * `table` is `audit_events`, or a table of its shape (the bench's raw-insert ceiling).
 *
 * The bytes travel as five binary parameters, each column's values one after the other, and
 * are cut apart by position: the driver sends a Buffer as it is, where an array of them goes
 * as text in hex, twice the size, to be encoded here and decoded by PostgreSQL.
 *
 * `OFFSET 0` keeps PostgreSQL from pulling the subquery up into the SELECT: pulled up, `rec` is
 * not a column but its expression, copied into each of the ten places that use it, and every
 * record was parsed into jsonb ten times (two thirds of the statement's time with the keys only).
 */
export function insertRowsQuery (table: string, tenant: string, rows: readonly Row[]): CompiledQuery {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a table name: ${table}`)
  for (const r of rows) {
    if (r.prevHash.length !== HASH_BYTES || r.hash.length !== HASH_BYTES || r.digest.length !== HASH_BYTES) {
      throw new Error(`row ${r.seq}: hashes must be ${HASH_BYTES} bytes`)
    }
  }
  const canonical = positions(rows.map(r => r.canonical))
  const treeNodes = positions(rows.map(r => r.treeNodes))
  return CompiledQuery.raw(`
    INSERT INTO ${table} (tenant, seq, id, prev_hash, hash, canonical, content_digest, tree_nodes,
      record, occurred_at, received_at, action, actor_type, actor_id, target_type, target_id, outcome, request_id)
    SELECT $1, seq, id, prev_hash, hash, canonical, digest, tree_nodes,
      rec, (rec->>'occurred_at')::timestamptz, (rec->>'received_at')::timestamptz, rec->>'action',
      rec->'actor'->>'type', rec->'actor'->>'id', rec->'target'->>'type', rec->'target'->>'id',
      rec->>'outcome', rec->>'request_id'
    FROM (
      SELECT b.*, convert_from(b.canonical, 'UTF8')::jsonb AS rec
      FROM (
        SELECT u.seq, u.id,
          substring($4::bytea FROM u.n::int * ${HASH_BYTES} - ${HASH_BYTES - 1} FOR ${HASH_BYTES}) AS prev_hash,
          substring($5::bytea FROM u.n::int * ${HASH_BYTES} - ${HASH_BYTES - 1} FOR ${HASH_BYTES}) AS hash,
          substring($6::bytea FROM u.canonical_at FOR u.canonical_length) AS canonical,
          substring($7::bytea FROM u.n::int * ${HASH_BYTES} - ${HASH_BYTES - 1} FOR ${HASH_BYTES}) AS digest,
          substring($8::bytea FROM u.tree_nodes_at FOR u.tree_nodes_length) AS tree_nodes
        FROM unnest($2::bigint[], $3::uuid[], $9::int[], $10::int[], $11::int[], $12::int[])
          WITH ORDINALITY AS u(seq, id, canonical_at, canonical_length, tree_nodes_at, tree_nodes_length, n)
      ) b
      OFFSET 0
    ) s`, [
    tenant, rows.map(r => r.seq), rows.map(r => r.id),
    Buffer.concat(rows.map(r => r.prevHash)), Buffer.concat(rows.map(r => r.hash)), canonical.bytes,
    Buffer.concat(rows.map(r => r.digest)), treeNodes.bytes,
    canonical.at, canonical.lengths, treeNodes.at, treeNodes.lengths
  ])
}

/** The buffers one after the other, and where each starts (1-based, as substring counts). */
function positions (buffers: Buffer[]): { bytes: Buffer, at: number[], lengths: number[] } {
  const at: number[] = []
  let next = 1
  for (const b of buffers) {
    at.push(next)
    next += b.length
  }
  return { bytes: Buffer.concat(buffers), at, lengths: buffers.map(b => b.length) }
}
