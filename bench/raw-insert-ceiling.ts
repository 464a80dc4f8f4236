import type pg from 'pg'
import { insertRowsQuery } from '../src/store/insert-rows-query.js'

export interface RawInsertResult {
  rows: number
  statements: number
  seconds: number
  rowsPerSecond: number
}

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
    // The store's own statement (insertRowsQuery), with the table name swapped.
    const query = insertRowsQuery(table, tenant, r.map(x => ({ seq: Number(x.seq), id: x.id, prevHash: x.prev_hash, hash: x.hash, canonical: x.canonical, digest: x.content_digest, treeNodes: x.tree_nodes })))
    const started = performance.now()
    await client.query(query.sql, query.parameters as unknown[])
    seconds += (performance.now() - started) / 1000
    rows += r.length
    statements++
    after = Number(r[r.length - 1]!.seq)
  }
  return { rows, statements, seconds, rowsPerSecond: rows / seconds }
}
