import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { createDatabase } from '../src/store/database.js'
import { databaseUrl, recreateDatabase } from './bench-database.js'
import { migrateToLatest } from '../src/store/migrate-to-latest.js'
import { PgEventReader, type EventFilters } from '../src/store/pg-event-reader.js'

export interface ReadFigure {
  name: string
  filters: EventFilters
  order: 'asc' | 'desc'
  median_ms: number
  rows: number
  plan: string
}

/** The filtered pages GET /audit-events serves, each measured on a large tenant. */
export const READ_QUERIES: Array<{ name: string, filters: EventFilters, order: 'asc' | 'desc' }> = [
  { name: 'no filter, newest first', filters: {}, order: 'desc' },
  { name: 'actor.id', filters: { actorId: 'u4242' }, order: 'asc' },
  { name: 'actor.type (rare)', filters: { actorType: 'service' }, order: 'desc' },
  { name: 'action exact', filters: { action: 'doc.delete' }, order: 'desc' },
  { name: 'action prefix user.*', filters: { action: 'user.', actionPrefix: true }, order: 'asc' },
  { name: 'target.type + target.id', filters: { targetType: 'doc', targetId: 'd778' }, order: 'asc' },
  { name: 'target.id', filters: { targetId: 'd777' }, order: 'desc' },
  { name: 'outcome (rare)', filters: { outcome: 'failure' }, order: 'desc' },
  { name: 'request_id', filters: { requestId: 'req-123456' }, order: 'asc' },
  { name: 'occurred_at range (1 h)', filters: { occurredFrom: '2026-01-05T00:00:00Z', occurredTo: '2026-01-05T01:00:00Z' }, order: 'asc' },
  { name: 'received_at range (1 h)', filters: { receivedFrom: '2026-01-05T00:00:00Z', receivedTo: '2026-01-05T01:00:00Z' }, order: 'desc' },
  { name: 'seq range', filters: { seqFrom: 500_000, seqTo: 500_500 }, order: 'asc' },
  { name: 'actor.id + action prefix', filters: { actorId: 'u4242', action: 'user.', actionPrefix: true }, order: 'desc' }
]

/**
 * Fills a scratch database with `rows` synthetic events of one tenant (generated inside
 * PostgreSQL: hashes are placeholders, the shapes and indexes are the real ones), then times
 * a 100-row page of each query (median of `runs`) and keeps its EXPLAIN ANALYZE plan.
 */
export async function measureReads (options: { adminUrl: string, database: string, rows: number, runs: number, reuse?: boolean, log: (m: string) => void }): Promise<ReadFigure[]> {
  const url = databaseUrl(options.adminUrl, options.database)
  if (options.reuse !== true) await recreateDatabase(options.adminUrl, options.database)
  const db = createDatabase({ connectionString: url, max: 2 })
  try {
    await migrateToLatest(db)
    if (options.reuse !== true) await generateRows(url, options)

    const reader = new PgEventReader(db)
    const figures: ReadFigure[] = []
    for (const q of READ_QUERIES) {
      const times: number[] = []
      let rows = 0
      for (let i = 0; i < options.runs; i++) {
        const t0 = performance.now()
        rows = (await reader.list('big', q.filters, { order: q.order, limit: 101 })).length
        times.push(performance.now() - t0)
      }
      times.sort((a, b) => a - b)
      const plan = await reader.explain('big', q.filters, { order: q.order, limit: 101 })
      figures.push({ ...q, median_ms: Math.round(times[Math.floor(times.length / 2)]! * 100) / 100, rows, plan })
    }
    return figures
  } finally {
    await db.destroy()
  }
}

async function generateRows (url: string, options: { rows: number, log: (m: string) => void }): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  options.log(`reads: generating ${options.rows} rows`)
  const started = performance.now()
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
  await client.query('VACUUM ANALYZE audit_events')
  options.log(`reads: ${options.rows} rows in ${Math.round(performance.now() - started)} ms`)
  await client.end()
}
