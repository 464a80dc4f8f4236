import { type Kysely, sql } from 'kysely'
import { recordAt, type QueuedEvent } from '../core/audit-record.js'
import { canonicalBytes } from '../core/canonical-json.js'
import { chainHash, genesisHash } from '../core/chain-hash.js'
import { CompactRange, leafHash } from '../core/merkle.js'
import type { Database } from './database.js'
import type { AppendOutcome, ChainHead, EventStore } from './event-store.js'

interface Row {
  seq: number
  id: string
  prevHash: Buffer
  hash: Buffer
  canonical: Buffer
  digest: Buffer
  treeNodes: Buffer
}

/**
 * PostgreSQL storage of the per-tenant hash chain and Merkle tree.
 *
 * Each append is one transaction that locks the tenant's `chain_heads` row, so appenders in
 * any number of processes take turns per tenant and run in parallel across tenants. The
 * unique constraints on (tenant, seq), (tenant, prev_hash) and (tenant, id) are the backstop:
 * a bug that tried to fork the chain would fail the transaction, not store a fork.
 */
export class PgEventStore implements EventStore {
  readonly #db: Kysely<Database>

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

  async append (tenant: string, events: QueuedEvent[]): Promise<AppendOutcome[]> {
    if (events.length === 0) return []
    return await this.#db.transaction().execute(async (trx) => {
      const head = await lockHead(trx, tenant)
      const known = await knownIds(trx, tenant, events.map(e => e.record.id))

      const range = CompactRange.fromBuffer(head.size, head.frontier)
      let prev = head.head_hash
      const rows: Row[] = []
      const outcomes: AppendOutcome[] = []
      for (let i = 0; i < events.length; i++) {
        const { record: event, digest: digestHex } = events[i]!
        const digest = Buffer.from(digestHex, 'hex')
        const existing = known.get(event.id)
        if (existing !== undefined) {
          outcomes.push(existing.digest.equals(digest)
            ? { status: 'duplicate', seq: existing.seq }
            : { status: 'conflict', seq: existing.seq, reason: `event id ${event.id} is already stored at seq ${existing.seq} with different content` })
          continue
        }
        const seq = range.size + 1
        const canonical = canonicalBytes(recordAt(event, seq))
        const hash = chainHash(prev, canonical)
        const treeNodes = Buffer.concat(range.append(leafHash(canonical)))
        rows.push({ seq, id: event.id, prevHash: prev, hash, canonical, digest, treeNodes })
        known.set(event.id, { seq, digest })
        outcomes.push({ status: 'stored', seq })
        prev = hash
      }

      if (rows.length > 0) {
        await insertRows(trx, tenant, rows)
        await trx.updateTable('chain_heads')
          .set({ size: range.size, head_hash: prev, frontier: range.toBuffer(), root_hash: range.root(), updated_at: sql`now()` })
          .where('tenant', '=', tenant)
          .execute()
      }
      return outcomes
    })
  }
}

async function lockHead (trx: Kysely<Database>, tenant: string) {
  const select = () => trx.selectFrom('chain_heads')
    .select(['size', 'head_hash', 'frontier'])
    .where('tenant', '=', tenant)
    .forUpdate()
    .executeTakeFirst()
  const head = await select()
  if (head !== undefined) return head
  await trx.insertInto('chain_heads')
    .values({ tenant, size: 0, head_hash: genesisHash(), frontier: Buffer.alloc(0), root_hash: CompactRange.empty().root() })
    .onConflict(oc => oc.column('tenant').doNothing())
    .execute()
  const created = await select()
  if (created === undefined) throw new Error(`chain head for tenant ${tenant} vanished`)
  return created
}

async function knownIds (trx: Kysely<Database>, tenant: string, ids: string[]) {
  const rows = await trx.selectFrom('audit_events')
    .select(['id', 'seq', 'content_digest'])
    .where('tenant', '=', tenant)
    .where('id', '=', sql<string>`ANY(${ids}::uuid[])`)
    .execute()
  return new Map(rows.map(r => [r.id, { seq: r.seq, digest: r.content_digest }]))
}

// One statement per batch: arrays in, unnest, and the jsonb copy and query columns derived
// by PostgreSQL from the canonical bytes, so the record crosses the wire once.
async function insertRows (trx: Kysely<Database>, tenant: string, rows: Row[]): Promise<void> {
  await sql`
    INSERT INTO audit_events (tenant, seq, id, prev_hash, hash, canonical, content_digest, tree_nodes,
      record, occurred_at, received_at, action, actor_type, actor_id, target_type, target_id, outcome, request_id)
    SELECT ${tenant}, seq, id, prev_hash, hash, canonical, digest, tree_nodes,
      rec, (rec->>'occurred_at')::timestamptz, (rec->>'received_at')::timestamptz, rec->>'action',
      rec->'actor'->>'type', rec->'actor'->>'id', rec->'target'->>'type', rec->'target'->>'id',
      rec->>'outcome', rec->>'request_id'
    FROM (
      SELECT u.*, convert_from(u.canonical, 'UTF8')::jsonb AS rec
      FROM unnest(${rows.map(r => r.seq)}::bigint[], ${rows.map(r => r.id)}::uuid[],
        ${rows.map(r => r.prevHash)}::bytea[], ${rows.map(r => r.hash)}::bytea[],
        ${rows.map(r => r.canonical)}::bytea[], ${rows.map(r => r.digest)}::bytea[],
        ${rows.map(r => r.treeNodes)}::bytea[])
        AS u(seq, id, prev_hash, hash, canonical, digest, tree_nodes)
    ) s`.execute(trx)
}
