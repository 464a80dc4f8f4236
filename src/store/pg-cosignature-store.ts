import { type Kysely, sql } from 'kysely'
import type { Database } from './database.js'

/** A tenant's latest checkpoint, and which of the witnesses asked about have cosigned it. */
export interface CheckpointToWitness {
  tenant: string
  size: number
  rootHash: Buffer
  note: string
  /** Witnesses (`<name>+<hex key id>`) whose cosignature of it is stored. */
  cosignedBy: string[]
}

/** How far a tenant's checkpoints are witnessed, for /health and the metrics. */
export interface TenantWitnessing {
  tenant: string
  /** Cosignatures of the tenant's latest checkpoint by the configured witnesses. */
  cosignatures: number
  /**
   * How long the oldest checkpoint after the latest one that meets the policy has waited
   * (0 when the latest meets it). Witnesses cosign only the latest checkpoint, so this is
   * how long the tenant's log has gone unwitnessed.
   */
  unwitnessedSeconds: number
}

/**
 * Witnesses' cosignatures (append-only) and what the log knows of each witness's size for a
 * tenant, in PostgreSQL. Per-tenant queries use the tables' keys; the cross-tenant ones do a
 * few index lookups per row of chain_heads.
 */
export class PgCosignatureStore {
  readonly #db: Kysely<Database>

  constructor (db: Kysely<Database>) {
    this.#db = db
  }

  /** Stores a verified cosignature; one per (tenant, size, witness): a second is not stored. */
  async add (tenant: string, size: number, witness: string, signatureLine: string, cosignedAt: Date): Promise<void> {
    await this.#db.insertInto('checkpoint_cosignatures')
      .values({ tenant, size, witness, signature_line: signatureLine, cosigned_at: cosignedAt })
      .onConflict(oc => oc.columns(['tenant', 'size', 'witness']).doNothing())
      .execute()
  }

  /** The size of the tenant's checkpoint the witness last accepted (0: none known). */
  async witnessSize (tenant: string, witness: string): Promise<number> {
    const row = await this.#db.selectFrom('witness_sizes').select('size').where('tenant', '=', tenant).where('witness', '=', witness).executeTakeFirst()
    return row?.size ?? 0
  }

  /** Remembers the witness's size for the tenant (from a 200, or the size a 409 stated). */
  async setWitnessSize (tenant: string, witness: string, size: number): Promise<void> {
    await this.#db.insertInto('witness_sizes').values({ tenant, witness, size })
      .onConflict(oc => oc.columns(['tenant', 'witness']).doUpdateSet({ size, updated_at: sql`now()` }))
      .execute()
  }

  /** Every tenant's latest checkpoint, with which of `witnesses` have cosigned it. */
  async latestToWitness (witnesses: readonly string[]): Promise<CheckpointToWitness[]> {
    const { rows } = await sql<{ tenant: string, size: number, root_hash: Buffer, note: string, cosigned_by: string[] }>`
      SELECT h.tenant, c.size, c.root_hash, c.note,
        array(SELECT s.witness FROM checkpoint_cosignatures s
              WHERE s.tenant = h.tenant AND s.size = c.size AND s.witness = ANY(${[...witnesses]}::text[])) AS cosigned_by
      FROM chain_heads h
      JOIN LATERAL (SELECT size, root_hash, note FROM checkpoints WHERE tenant = h.tenant ORDER BY size DESC LIMIT 1) c ON true
      ORDER BY h.tenant`.execute(this.#db)
    return rows.map(r => ({ tenant: r.tenant, size: r.size, rootHash: r.root_hash, note: r.note, cosignedBy: r.cosigned_by }))
  }

  /**
   * Each tenant with a checkpoint: its latest checkpoint's cosignatures by `witnesses`, and
   * how long its log has gone without a checkpoint cosigned by `policy` of them.
   */
  async witnessing (witnesses: readonly string[], policy: number): Promise<TenantWitnessing[]> {
    const { rows } = await sql<TenantWitnessing>`
      SELECT h.tenant,
        (SELECT count(*) FROM checkpoint_cosignatures s
         WHERE s.tenant = h.tenant AND s.size = last.size AND s.witness = ANY(${[...witnesses]}::text[]))::int AS cosignatures,
        coalesce(greatest(0, extract(epoch FROM now() - (
          SELECT c.created_at FROM checkpoints c WHERE c.tenant = h.tenant AND c.size > coalesce(met.size, -1) ORDER BY c.size LIMIT 1))), 0)::float8 AS "unwitnessedSeconds"
      FROM chain_heads h
      JOIN LATERAL (SELECT size FROM checkpoints WHERE tenant = h.tenant ORDER BY size DESC LIMIT 1) last ON true
      LEFT JOIN LATERAL (
        SELECT s.size FROM checkpoint_cosignatures s
        WHERE s.tenant = h.tenant AND s.witness = ANY(${[...witnesses]}::text[])
        GROUP BY s.size HAVING count(*) >= ${policy} ORDER BY s.size DESC LIMIT 1
      ) met ON true
      ORDER BY h.tenant`.execute(this.#db)
    return rows
  }
}
