import { type Kysely, sql } from 'kysely'
import type { Database } from './database.js'
import { tenantFilter } from './tenant-filter.js'

export interface EventFilters {
  actorId?: string
  actorType?: string
  /** Exact action, or a prefix when `actionPrefix` is set. */
  action?: string
  actionPrefix?: boolean
  targetType?: string
  targetId?: string
  outcome?: string
  requestId?: string
  occurredFrom?: string
  occurredTo?: string
  receivedFrom?: string
  receivedTo?: string
  seqFrom?: number
  seqTo?: number
}

export interface StoredEventRow {
  seq: number
  id: string
  hash: Buffer
  prev_hash: Buffer
  record: unknown
}

/**
 * Filtered, keyset-paginated reads of one tenant's events. Pages are cut on `seq`, which is
 * unique and only grows, so reading while events arrive never skips or repeats one.
 */
export class PgEventReader {
  readonly #db: Kysely<Database>

  constructor (db: Kysely<Database>) {
    this.#db = db
  }

  query (tenant: string, f: EventFilters, page: { order: 'asc' | 'desc', after?: number, limit: number }) {
    let q = this.#db.selectFrom('audit_events').select(['seq', 'id', 'hash', 'prev_hash', 'record']).where('tenant', '=', tenant)
    if (f.actorId !== undefined) q = q.where('actor_id', '=', f.actorId)
    if (f.actorType !== undefined) q = q.where('actor_type', '=', f.actorType)
    if (f.action !== undefined) {
      q = f.actionPrefix === true
        ? q.where('action', 'like', `${f.action.replace(/[\\%_]/g, m => `\\${m}`)}%`)
        : q.where('action', '=', f.action)
    }
    if (f.targetType !== undefined) q = q.where('target_type', '=', f.targetType)
    if (f.targetId !== undefined) q = q.where('target_id', '=', f.targetId)
    if (f.outcome !== undefined) q = q.where('outcome', '=', f.outcome)
    if (f.requestId !== undefined) q = q.where('request_id', '=', f.requestId)
    for (const [column, from, to] of [['occurred_at', f.occurredFrom, f.occurredTo], ['received_at', f.receivedFrom, f.receivedTo]] as const) {
      if (from === undefined && to === undefined) continue
      if (from !== undefined) q = q.where(column, '>=', from)
      if (to !== undefined) q = q.where(column, '<', to)
      // The planner assumes matches are spread evenly over seq and walks the primary key from
      // one end; for a narrow time range far from that end it filters away most of the tenant.
      // The seqs of the rows in range, read from the (tenant, time, seq) index, bound that walk.
      // (`seq + 0` keeps PostgreSQL from turning min/max back into that same primary-key walk.)
      const inRange = (fn: 'min' | 'max') => sql<number>`(SELECT ${sql.raw(fn)}(r.seq + 0) FROM audit_events r WHERE r.tenant = ${tenant}
        ${from === undefined ? sql`` : sql`AND r.${sql.ref(column)} >= ${from}`} ${to === undefined ? sql`` : sql`AND r.${sql.ref(column)} < ${to}`})`
      q = q.where('seq', '>=', inRange('min')).where('seq', '<=', inRange('max'))
    }
    if (f.seqFrom !== undefined) q = q.where('seq', '>=', f.seqFrom)
    if (f.seqTo !== undefined) q = q.where('seq', '<=', f.seqTo)
    if (page.after !== undefined) q = q.where('seq', page.order === 'asc' ? '>' : '<', page.after)
    return q.orderBy('seq', page.order).limit(page.limit)
  }

  async list (tenant: string, f: EventFilters, page: { order: 'asc' | 'desc', after?: number, limit: number }): Promise<StoredEventRow[]> {
    return await this.query(tenant, f, page).execute()
  }

  async explain (tenant: string, f: EventFilters, page: { order: 'asc' | 'desc', after?: number, limit: number }): Promise<string> {
    const compiled = this.query(tenant, f, page).compile()
    const rows = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${sql.raw(compiled.sql.replace(/\$(\d+)/g, (_m, n: string) => literal(compiled.parameters[Number(n) - 1])))}`.execute(this.#db)
    return rows.rows.map(r => r['QUERY PLAN']).join('\n')
  }

  async byId (tenant: string, id: string): Promise<StoredEventRow | undefined> {
    return await this.#db.selectFrom('audit_events').select(['seq', 'id', 'hash', 'prev_hash', 'record'])
      .where('id', '=', id).where(tenantFilter(tenant)).executeTakeFirst()
  }
}

function literal (value: unknown): string {
  return typeof value === 'number' ? String(value) : `'${String(value).replaceAll("'", "''")}'`
}
