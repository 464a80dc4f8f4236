import { performance } from 'node:perf_hooks'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../src/store/database.js'
import { PgEventReader, type EventFilters } from '../src/store/pg-event-reader.js'
import { STUDY_INDEXES, type IndexSet } from './index-sets.js'
import { READ_ORDERS, READ_QUERIES, type ReadOrder } from './measure-reads.js'

/** Searches beyond docs/read-queries.md that show what an index set gives up. */
export const EDGE_QUERIES: Array<{ name: string, filters: EventFilters, tenant?: string }> = [
  { name: 'actor.type common (user)', filters: { actorType: 'user' } },
  { name: 'outcome common (success)', filters: { outcome: 'success' } },
  { name: 'actor.type absent (robot)', filters: { actorType: 'robot' } },
  { name: 'outcome absent (unknown)', filters: { outcome: 'unknown' } },
  { name: 'target.type + target.id, other type', filters: { targetType: 'session', targetId: 'd778' } },
  { name: 'occurred_at range (1 day)', filters: { occurredFrom: '2026-01-05T00:00:00Z', occurredTo: '2026-01-06T00:00:00Z' } },
  { name: 'received_at range (1 day)', filters: { receivedFrom: '2026-01-05T00:00:00Z', receivedTo: '2026-01-06T00:00:00Z' } },
  { name: 'received_at range (1 day), empty tenant', filters: { receivedFrom: '2026-01-05T00:00:00Z', receivedTo: '2026-01-06T00:00:00Z' }, tenant: 'small' }
]

export interface IndexReadFigure {
  set: string
  query: string
  edge: boolean
  order: ReadOrder
  rows: number
  /** Median of the timed runs; undefined when a run hit the statement timeout. */
  median_ms: number | undefined
  runs: number
  plan: string
}

const TIMEOUT_MS = 3_000
const SLOW_MS = 500

/**
 * Every read of docs/read-queries.md (and the edge cases) in both orders, once per index set:
 * in a transaction that drops the study indexes not in the set, measures, and rolls back.
 * A page that takes over half a second is timed once; one over 3 s is cut by statement_timeout.
 */
export async function measureIndexReads (db: Kysely<Database>, sets: IndexSet[], options: { runs: number, plans: boolean, log: (m: string) => void }): Promise<IndexReadFigure[]> {
  const figures: IndexReadFigure[] = []
  const queries = [...READ_QUERIES.map(q => ({ ...q, edge: false, tenant: 'big' })), ...EDGE_QUERIES.map(q => ({ ...q, edge: true, tenant: q.tenant ?? 'big' }))]
  for (const set of sets) {
    const started = performance.now()
    await db.connection().execute(async conn => {
      await sql`BEGIN`.execute(conn)
      try {
        for (const index of Object.keys(STUDY_INDEXES)) {
          if (!(set.indexes as string[]).includes(index)) await sql`DROP INDEX ${sql.id(`study_${index}`)}`.execute(conn)
        }
        await sql`SET LOCAL statement_timeout = ${sql.lit(TIMEOUT_MS)}`.execute(conn)
        const reader = new PgEventReader(conn)
        for (const q of queries) {
          for (const order of READ_ORDERS) {
            await sql`SAVEPOINT page`.execute(conn)
            try {
              const page = { order, limit: 101 }
              const t0 = performance.now()
              const rows = (await reader.list(q.tenant, q.filters, page)).length
              const first = performance.now() - t0
              const times: number[] = []
              for (let i = 0; i < (first > SLOW_MS ? 1 : options.runs); i++) {
                const t = performance.now()
                await reader.list(q.tenant, q.filters, page)
                times.push(performance.now() - t)
              }
              times.sort((a, b) => a - b)
              const plan = options.plans ? await reader.explain(q.tenant, q.filters, page) : ''
              figures.push({ set: set.name, query: q.name, edge: q.edge, order, rows, median_ms: Math.round(times[Math.floor(times.length / 2)]! * 100) / 100, runs: times.length, plan })
              await sql`RELEASE SAVEPOINT page`.execute(conn)
            } catch (err) {
              if ((err as { code?: string }).code !== '57014') throw err
              await sql`ROLLBACK TO SAVEPOINT page`.execute(conn)
              figures.push({ set: set.name, query: q.name, edge: q.edge, order, rows: 0, median_ms: undefined, runs: 0, plan: '' })
            }
          }
        }
      } finally {
        await sql`ROLLBACK`.execute(conn)
      }
    })
    options.log(`reads: ${set.name} in ${Math.round((performance.now() - started) / 1000)} s`)
  }
  return figures
}
