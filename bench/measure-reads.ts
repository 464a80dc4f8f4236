import { performance } from 'node:perf_hooks'
import type { Kysely } from 'kysely'
import pg from 'pg'
import { createDatabase, type Database } from '../src/store/database.js'
import { databaseUrl, recreateDatabase } from './bench-database.js'
import { migrateToLatest } from '../src/store/migrate-to-latest.js'
import { PgEventReader, type EventFilters } from '../src/store/pg-event-reader.js'
import { dropTableIndexes, restoreTableIndexes } from './table-indexes.js'

export type ReadOrder = 'asc' | 'desc'

export interface ReadQuery {
  name: string
  filters: EventFilters
}

export interface ReadFigure {
  name: string
  filters: EventFilters
  order: ReadOrder
  median_ms: number
  rows: number
  plan: string
}

/** The filtered pages GET /audit-events serves, each measured on a large tenant in both orders. */
export const READ_QUERIES: ReadQuery[] = [
  { name: 'no filter', filters: {} },
  { name: 'actor.id', filters: { actorId: 'u4242' } },
  { name: 'actor.type (rare)', filters: { actorType: 'service' } },
  { name: 'action exact', filters: { action: 'doc.delete' } },
  { name: 'action prefix user.*', filters: { action: 'user.', actionPrefix: true } },
  { name: 'target.type + target.id', filters: { targetType: 'doc', targetId: 'd778' } },
  { name: 'target.id', filters: { targetId: 'd777' } },
  { name: 'outcome (rare)', filters: { outcome: 'failure' } },
  { name: 'request_id', filters: { requestId: 'req-123456' } },
  { name: 'occurred_at range (1 h)', filters: { occurredFrom: '2026-01-05T00:00:00Z', occurredTo: '2026-01-05T01:00:00Z' } },
  { name: 'received_at range (1 h)', filters: { receivedFrom: '2026-01-05T00:00:00Z', receivedTo: '2026-01-05T01:00:00Z' } },
  { name: 'seq range', filters: { seqFrom: 500_000, seqTo: 500_500 } },
  { name: 'actor.id + action prefix', filters: { actorId: 'u4242', action: 'user.', actionPrefix: true } }
]

export const READ_ORDERS: ReadOrder[] = ['asc', 'desc']

/** One page of 101 rows (100 and one to know there is a next), timed `runs` times after one untimed run. */
export async function timePage (reader: PgEventReader, tenant: string, filters: EventFilters, order: ReadOrder, runs: number): Promise<{ median_ms: number, rows: number, times: number[] }> {
  let rows = (await reader.list(tenant, filters, { order, limit: 101 })).length
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    rows = (await reader.list(tenant, filters, { order, limit: 101 })).length
    times.push(performance.now() - t0)
  }
  const sorted = [...times].sort((a, b) => a - b)
  return { median_ms: Math.round(sorted[Math.floor(sorted.length / 2)]! * 100) / 100, rows, times }
}

/**
 * Fills a scratch database with `rows` synthetic events of one tenant (generated inside
 * PostgreSQL: hashes are placeholders, the shapes and indexes are the real ones), then times
 * a 100-row page of each query in each order (median of `runs`) and keeps its EXPLAIN ANALYZE plan.
 */
export async function measureReads (options: { adminUrl: string, database: string, rows: number, runs: number, reuse?: boolean, log: (m: string) => void }): Promise<ReadFigure[]> {
  const url = databaseUrl(options.adminUrl, options.database)
  if (options.reuse !== true) await recreateDatabase(options.adminUrl, options.database)
  const db = createDatabase({ connectionString: url, max: 2 })
  try {
    await migrateToLatest(db)
    if (options.reuse !== true) await generateRows(url, options)
    return await measurePages(db, options.runs)
  } finally {
    await db.destroy()
  }
}

export async function measurePages (db: Kysely<Database>, runs: number): Promise<ReadFigure[]> {
  const reader = new PgEventReader(db)
  const figures: ReadFigure[] = []
  for (const q of READ_QUERIES) {
    for (const order of READ_ORDERS) {
      const { median_ms: medianMs, rows } = await timePage(reader, 'big', q.filters, order, runs)
      const plan = await reader.explain('big', q.filters, { order, limit: 101 })
      figures.push({ ...q, order, median_ms: medianMs, rows, plan })
    }
  }
  return figures
}

/**
 * `rows` events of tenant `big`, one a second from 2026-01-01: 10,000 actors, 5,000 targets,
 * six actions, 1% service actors, 2% failures, a request id each. The indexes are dropped
 * while the rows go in and built once at the end (at 10M rows that is minutes, not an hour).
 */
export async function generateRows (url: string, options: { rows: number, log: (m: string) => void }): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    options.log(`reads: generating ${options.rows} rows`)
    const started = performance.now()
    await client.query('SET maintenance_work_mem = \'512MB\'')
    const indexes = await dropTableIndexes(client, 'audit_events')
    for (let from = 1; from <= options.rows; from += 250_000) {
      const to = Math.min(options.rows, from + 249_999)
      await client.query(`
        INSERT INTO audit_events (tenant, seq, id, prev_hash, hash, canonical, record, content_digest, tree_nodes,
          occurred_at, received_at, action, actor_type, actor_id, target_type, target_id, outcome, request_id)
        SELECT 'big', s, gen_random_uuid(), sha256(('p' || s)::bytea), sha256(('h' || s)::bytea), '\\x7b7d', '{}', sha256(('d' || s)::bytea), sha256(('n' || s)::bytea),
          timestamptz '2026-01-01' + s * interval '1 second', timestamptz '2026-01-01' + s * interval '1 second',
          (ARRAY['user.login','user.logout','doc.edit','doc.view','doc.delete','admin.grant'])[1 + s % 6],
          CASE WHEN s % 100 = 0 THEN 'service' ELSE 'user' END, 'u' || (s % 10000),
          CASE WHEN s % 2 = 0 THEN 'doc' ELSE 'session' END, 'd' || (s % 5000),
          CASE WHEN s % 50 = 0 THEN 'failure' ELSE 'success' END, 'req-' || s
        FROM generate_series($1::bigint, $2::bigint) s`, [from, to])
    }
    options.log(`reads: rows in ${Math.round(performance.now() - started)} ms; building ${indexes.constraints.length + indexes.indexes.length} indexes`)
    await restoreTableIndexes(client, 'audit_events', indexes)
    await client.query('VACUUM ANALYZE audit_events')
    options.log(`reads: ${options.rows} rows and indexes in ${Math.round(performance.now() - started)} ms`)
  } finally {
    await client.end()
  }
}
