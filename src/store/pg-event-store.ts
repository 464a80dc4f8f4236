import { type Kysely, sql } from 'kysely'
import { type QueuedEvent, genesisHash, ChainBatch, type KnownEvent, type Row, samePosition, type AppendOutcome, type ChainPosition, type PreparedBatch } from '../core/chain/index.js'
import { CompactRange } from '../core/merkle/index.js'
import type { Database } from './database.js'
import { insertRowsQuery } from './insert-rows-query.js'
import { statisticsStep } from './statistics-step.js'
import { tenantFilter } from './tenant-filter.js'
import type { ChainHead, Committed, EventStore } from './event-store.js'

/**
 * PostgreSQL storage of the per-tenant hash chain and Merkle tree.
 *
 * Each commit is one transaction that locks the tenant's `chain_heads` row, so appenders in
 * any number of processes take turns per tenant and run in parallel across tenants. The
 * unique constraints on (tenant, seq), (tenant, prev_hash) and (tenant, id) are the backstop:
 * a bug that tried to fork the chain would fail the transaction, not store a fork.
 */
export class PgEventStore implements EventStore {
  readonly #db: Kysely<Database>
  #analyzing: Promise<void> | undefined

  constructor (db: Kysely<Database>) {
    this.#db = db
  }

  async head (tenant: string): Promise<ChainHead | undefined> {
    const row = await this.#db.selectFrom('chain_heads')
      .select(['tenant', 'size', 'head_hash', 'root_hash'])
      .where('tenant', '=', tenant)
      .executeTakeFirst()
    return row && { tenant: row.tenant, size: row.size, headHash: row.head_hash, rootHash: row.root_hash }
  }

  prepare (tenant: string, base: ChainPosition | undefined): ChainBatch {
    return new ChainBatch(tenant, base)
  }

  /** Appends `events` linked on whatever head the transaction locks. */
  async append (tenant: string, events: QueuedEvent[]): Promise<AppendOutcome[]> {
    const batch = new ChainBatch(tenant, undefined)
    batch.add(events)
    return (await this.commit(batch)).outcomes
  }

  async commit (prepared: PreparedBatch): Promise<Committed> {
    if (!(prepared instanceof ChainBatch)) throw new TypeError('batch was not prepared by PgEventStore')
    if (prepared.count === 0) return { outcomes: [], head: prepared.base, recomputed: false }
    try {
      return await this.#commit(prepared, false)
    } catch (err) {
      if (!isStoredIdError(err)) throw err
      // An id of the batch is already stored (a redelivered job): the whole transaction rolled
      // back. Again, this time looking the batch's ids up first.
      return await this.#commit(prepared, true)
    }
  }

  // Most batches hold only new ids, so the unique (id, tenant) key checks them as the rows go
  // in, with no lookup query; `lookUpIds` is the path for a batch that holds a stored one.
  async #commit (prepared: ChainBatch, lookUpIds: boolean): Promise<Committed> {
    const { tenant, events } = prepared
    const { before, ...committed } = await this.#db.transaction().execute(async (trx) => {
      const locked = await lockHead(trx, tenant)
      const known = lookUpIds ? await knownIds(trx, tenant, events.map(e => e.record.id)) : new Map<string, KnownEvent>()
      // The prepared rows assumed a head (another process may have appended since, or the batch
      // before this one failed) and that every id is new (a redelivery is not). The locked head
      // and the ids stored are the truth: if either differs, link the events again on them.
      const recomputed = known.size > 0 || !samePosition(prepared.base, locked)
      const batch = recomputed ? new ChainBatch(tenant, locked, known) : prepared
      if (recomputed) batch.add(events)
      const head = batch.head!
      if (batch.rows.length > 0) {
        await insertRows(trx, tenant, batch.rows)
        await trx.updateTable('chain_heads')
          .set({ size: head.size, head_hash: head.headHash, frontier: head.frontier, root_hash: batch.root()!, updated_at: sql`now()` })
          .where('tenant', '=', tenant)
          .execute()
      }
      return { outcomes: batch.outcomes, head, recomputed, before: locked.size }
    })
    if (statisticsStep(before) !== statisticsStep(committed.head.size)) this.#refreshStatistics()
    return committed
  }

  // Autovacuum re-analyzes a table after 10% of it changed: in a large table, a new tenant can
  // reach millions of rows first. One ANALYZE at a time, in the background; a role that does
  // not own the table only gets a warning (PostgreSQL 17 can GRANT MAINTAIN for it).
  #refreshStatistics (): void {
    this.#analyzing ??= sql`ANALYZE audit_events`.execute(this.#db)
      .then(() => {}, () => {})
      .finally(() => { this.#analyzing = undefined })
  }
}

/** PostgreSQL's unique_violation on the (id, tenant) key: the event is stored already. */
function isStoredIdError (err: unknown): boolean {
  const e = err as { code?: unknown, constraint?: unknown }
  return e.code === '23505' && e.constraint === 'audit_events_id_tenant_key'
}

async function lockHead (trx: Kysely<Database>, tenant: string): Promise<ChainPosition> {
  const select = () => trx.selectFrom('chain_heads')
    .select(['size', 'head_hash', 'frontier'])
    .where('tenant', '=', tenant)
    .forUpdate()
    .executeTakeFirst()
  const head = await select()
  if (head !== undefined) return position(head)
  await trx.insertInto('chain_heads')
    .values({ tenant, size: 0, head_hash: genesisHash(), frontier: Buffer.alloc(0), root_hash: CompactRange.empty().root() })
    .onConflict(oc => oc.column('tenant').doNothing())
    .execute()
  const created = await select()
  if (created === undefined) throw new Error(`chain head for tenant ${tenant} vanished`)
  return position(created)
}

function position (row: { size: number, head_hash: Buffer, frontier: Buffer }): ChainPosition {
  return { size: row.size, headHash: row.head_hash, frontier: row.frontier }
}

// One probe of the unique (id, tenant) key per id, whatever the statistics say: with
// `tenant = $1 AND id = ANY(...)` the planner of a tenant that grew since the last ANALYZE read
// every row of the tenant, once per batch (migrations/0004-id-first-unique-key.ts).
async function knownIds (trx: Kysely<Database>, tenant: string, ids: string[]): Promise<Map<string, KnownEvent>> {
  const { rows } = await sql<{ id: string, seq: number, content_digest: Buffer }>`
    SELECT e.id, e.seq, e.content_digest
    FROM unnest(${ids}::uuid[]) AS k(id)
    CROSS JOIN LATERAL (
      SELECT id, seq, content_digest FROM audit_events WHERE id = k.id AND ${tenantFilter(tenant)} LIMIT 1
    ) e`.execute(trx)
  return new Map(rows.map(r => [r.id, { seq: r.seq, digest: r.content_digest }]))
}

/** Writes `rows` of `tenant` in one statement (src/store/insert-rows-query.ts). */
export async function insertRows (trx: Kysely<Database>, tenant: string, rows: Row[]): Promise<void> {
  await trx.executeQuery(insertRowsQuery('audit_events', tenant, rows))
}
