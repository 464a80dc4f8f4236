import { type Kysely, sql } from 'kysely'
import { addCosignatures } from '../core/checkpoint/index.js'
import type { CheckpointSummary } from '../health/assess-health.js'
import type { TenantLogFigures } from '../metrics/api-metrics.js'
import type { Database } from './database.js'

export interface StoredCheckpoint {
  tenant: string
  size: number
  rootHash: Buffer
  note: string
  createdAt: Date
}

/** A witness's cosignature of a checkpoint, as stored (migration 0007). */
export interface StoredCosignature {
  /** The witness's key, `<name>+<hex key id>`. */
  witness: string
  /** The note signature line (`— <name> <base64>`), without its newline. */
  signatureLine: string
  /** The time the cosignature states. */
  cosignedAt: Date
}

/** A checkpoint with every cosignature gathered for it. */
export interface CosignedCheckpoint extends StoredCheckpoint {
  cosignatures: StoredCosignature[]
  /** The log's signed note with every cosignature appended as a signature line (C2SP). */
  cosignedNote: string
}

/** A tenant's tree as the appender last committed it. */
export interface TreeHead {
  tenant: string
  size: number
  rootHash: Buffer
}

/** The health summary, with the names of the overdue tenants for the log (never the answer). */
export type CheckpointLag = CheckpointSummary & { overdue_names: string[] | null }

const toCheckpoint = (r: { tenant: string, size: number, root_hash: Buffer, note: string, created_at: Date }): StoredCheckpoint =>
  ({ tenant: r.tenant, size: r.size, rootHash: r.root_hash, note: r.note, createdAt: r.created_at })

/**
 * The signed checkpoints in PostgreSQL: every query on the `checkpoints` table except the
 * verifier's paging (PgLogReader#checkpoints). Every per-tenant query goes through the
 * (tenant, size) primary key, and the cross-tenant ones do one index lookup per row of
 * chain_heads: their cost grows with the tenants, never with the checkpoints.
 */
export class PgCheckpointStore {
  readonly #db: Kysely<Database>

  constructor (db: Kysely<Database>) {
    this.#db = db
  }

  async latest (tenant: string): Promise<StoredCheckpoint | undefined> {
    const row = await this.#db.selectFrom('checkpoints').selectAll().where('tenant', '=', tenant).orderBy('size', 'desc').limit(1).executeTakeFirst()
    return row === undefined ? undefined : toCheckpoint(row)
  }

  /**
   * The tenant's latest checkpoint with every witness cosignature gathered for it, and the
   * note that carries them all (`cosignedNote`): what GET /checkpoints/latest and a
   * tlog-tiles `checkpoint` serve. Two point reads by key.
   */
  async latestCosigned (tenant: string): Promise<CosignedCheckpoint | undefined> {
    const latest = await this.latest(tenant)
    if (latest === undefined) return undefined
    const rows = await this.#db.selectFrom('checkpoint_cosignatures').select(['witness', 'signature_line', 'cosigned_at'])
      .where('tenant', '=', tenant).where('size', '=', latest.size).orderBy('witness').execute()
    const cosignatures = rows.map(r => ({ witness: r.witness, signatureLine: r.signature_line, cosignedAt: r.cosigned_at }))
    return { ...latest, cosignatures, cosignedNote: addCosignatures(latest.note, cosignatures.map(c => c.signatureLine)) }
  }

  /**
   * The tenant's latest checkpoint as tile clients read it (`/logs/<tenant>/checkpoint`): the
   * note with every cosignature, as
   * GET /checkpoints/latest serves it.
   */
  async latestNote (tenant: string): Promise<{ size: number, note: string } | undefined> {
    const latest = await this.latestCosigned(tenant)
    return latest === undefined ? undefined : { size: latest.size, note: latest.cosignedNote }
  }

  /** The size of the tenant's latest checkpoint (0 when none): the tree tile clients may read. */
  async latestSize (tenant: string): Promise<number> {
    const row = await this.#db.selectFrom('checkpoints').select('size').where('tenant', '=', tenant)
      .orderBy('size', 'desc').limit(1).executeTakeFirst()
    return row?.size ?? 0
  }

  /** Newest first; only the one at `size` when given. */
  async list (tenant: string, options: { size?: number, limit: number }): Promise<StoredCheckpoint[]> {
    let query = this.#db.selectFrom('checkpoints').selectAll().where('tenant', '=', tenant)
    if (options.size !== undefined) query = query.where('size', '=', options.size)
    return (await query.orderBy('size', 'desc').limit(options.limit).execute()).map(toCheckpoint)
  }

  /** The signed notes at these sizes, by size; sizes without a checkpoint are absent. */
  async notesAt (tenant: string, sizes: number[]): Promise<Map<number, string>> {
    const rows = await this.#db.selectFrom('checkpoints').select(['size', 'note'])
      .where('tenant', '=', tenant).where('size', 'in', sizes).execute()
    return new Map(rows.map(r => [r.size, r.note]))
  }

  /**
   * Stores a checkpoint and returns the one stored at that size. Several signers may race on
   * one size: (tenant, size) is the key, so the first one stays and the others get it back.
   */
  async add (tenant: string, size: number, rootHash: Buffer, note: string): Promise<StoredCheckpoint> {
    await this.#db.insertInto('checkpoints')
      .values({ tenant, size, root_hash: rootHash, note })
      .onConflict(oc => oc.columns(['tenant', 'size']).doNothing())
      .execute()
    const stored = await this.#db.selectFrom('checkpoints').selectAll().where('tenant', '=', tenant).where('size', '=', size).executeTakeFirstOrThrow()
    return toCheckpoint(stored)
  }

  /** The tenant's committed tree, or undefined while it has no records. */
  async treeHead (tenant: string): Promise<TreeHead | undefined> {
    const head = await this.#db.selectFrom('chain_heads').select(['size', 'root_hash']).where('tenant', '=', tenant).executeTakeFirst()
    return head === undefined || head.size === 0 ? undefined : { tenant, size: head.size, rootHash: head.root_hash }
  }

  /** Trees that grew since their tenant's last checkpoint, signed at least `minAgeSeconds` ago. */
  async dueHeads (minAgeSeconds: number): Promise<TreeHead[]> {
    const due = await sql<{ tenant: string, size: number, root_hash: Buffer }>`
      SELECT h.tenant, h.size, h.root_hash
      FROM chain_heads h
      LEFT JOIN LATERAL (
        SELECT c.size, c.created_at FROM checkpoints c WHERE c.tenant = h.tenant ORDER BY c.size DESC LIMIT 1
      ) last ON true
      WHERE h.size > coalesce(last.size, 0)
        AND (last.created_at IS NULL OR last.created_at <= now() - make_interval(secs => ${minAgeSeconds}))
    `.execute(this.#db)
    return due.rows.map(r => ({ tenant: r.tenant, size: r.size, rootHash: r.root_hash }))
  }

  /** Every tenant with its latest signed size (null when none), in tenant order. */
  async signedSizes (): Promise<Array<{ tenant: string, signed: number | null }>> {
    return (await sql<{ tenant: string, signed: number | null }>`
      SELECT h.tenant, (SELECT c.size FROM checkpoints c WHERE c.tenant = h.tenant ORDER BY c.size DESC LIMIT 1)::float8 AS signed
      FROM chain_heads h ORDER BY h.tenant`.execute(this.#db)).rows
  }

  /** How far signing lags behind the appends, all tenants together (for /health). */
  async lag (maxAgeSeconds: number): Promise<CheckpointLag> {
    return (await sql<CheckpointLag>`
      WITH behind AS (
        SELECT h.tenant,
          extract(epoch FROM now() - (SELECT e.stored_at FROM audit_events e WHERE e.tenant = h.tenant AND e.seq = coalesce(c.size, 0) + 1))::float8 AS unsigned_for
        FROM chain_heads h
        LEFT JOIN LATERAL (SELECT size FROM checkpoints WHERE tenant = h.tenant ORDER BY size DESC LIMIT 1) c ON true
        WHERE h.size > coalesce(c.size, 0))
      SELECT count(*)::int AS tenants_behind,
        (count(*) FILTER (WHERE unsigned_for > ${maxAgeSeconds}))::int AS tenants_overdue,
        max(unsigned_for) AS oldest_unsigned_seconds,
        (array_agg(tenant ORDER BY unsigned_for DESC) FILTER (WHERE unsigned_for > ${maxAgeSeconds}))[1:20] AS overdue_names
      FROM behind`.execute(this.#db)).rows[0]!
  }

  /**
   * Each tenant's log size, its latest checkpoint (size and age) and how long its oldest
   * record not covered by it has waited (for the metrics): one row of chain_heads, one
   * checkpoint and at most one event per tenant, each by its key.
   */
  async tenantLogs (): Promise<TenantLogFigures[]> {
    return (await sql<TenantLogFigures>`
      SELECT h.tenant, h.size::float8 AS size, coalesce(c.size, 0)::float8 AS signed,
        extract(epoch FROM now() - c.created_at)::float8 AS "checkpointAgeSeconds",
        CASE WHEN h.size > coalesce(c.size, 0)
          THEN greatest(0, extract(epoch FROM now() - (SELECT e.stored_at FROM audit_events e WHERE e.tenant = h.tenant AND e.seq = coalesce(c.size, 0) + 1)))::float8
          ELSE 0 END AS "unsignedSeconds"
      FROM chain_heads h
      LEFT JOIN LATERAL (SELECT size, created_at FROM checkpoints WHERE tenant = h.tenant ORDER BY size DESC LIMIT 1) c ON true`.execute(this.#db)).rows
  }
}
