import { type Kysely, sql } from 'kysely'
import { CompactRange, frontierNodes, nodeLocation, type TreeNode } from '../core/merkle.js'
import type { Database } from './database.js'

export interface StoredRecordRow {
  seq: number
  canonical: Buffer
  prev_hash: Buffer
  hash: Buffer
  /** Whether the jsonb copy says the same as the canonical bytes. */
  json_ok: boolean
  record?: unknown
}

export interface StoredCheckpointRow {
  size: number
  note: string
}

/**
 * Reads a tenant's log for verification, export and proofs. Rows come in keyset pages, so
 * memory stays constant however long the log is.
 */
export class PgLogReader {
  readonly #db: Kysely<Database>
  readonly #pageSize: number
  readonly #readAhead: number

  constructor (db: Kysely<Database>, pageSize = 2000, readAhead = 2) {
    this.#db = db
    this.#pageSize = pageSize
    this.#readAhead = readAhead
  }

  async headSize (tenant: string): Promise<number> {
    const head = await this.#db.selectFrom('chain_heads').select('size').where('tenant', '=', tenant).executeTakeFirst()
    return head?.size ?? 0
  }

  /**
   * Pages of rows in seq order, by seq range (`pageSize` seqs each: a chain's seqs are dense,
   * and a missing row only makes its page shorter, for the verifier to report). Ranges are
   * known up front, so the next `readAhead` pages are already being read, by other
   * connections, while the caller works on this one: PostgreSQL (which also compares each
   * jsonb copy) and the caller's hashing overlap instead of taking turns.
   */
  async * records (tenant: string, fromSeq: number, toSeq: number, withRecord = false): AsyncGenerator<StoredRecordRow[]> {
    const page = (from: number): Promise<StoredRecordRow[]> => this.#db.selectFrom('audit_events')
      .select(['seq', 'canonical', 'prev_hash', 'hash',
        sql<boolean>`(convert_from(canonical, 'UTF8')::jsonb = record)`.as('json_ok'),
        // Only exports carry the jsonb copy: verification compares it inside PostgreSQL.
        withRecord ? 'record' : sql<null>`null`.as('record')])
      .where('tenant', '=', tenant)
      .where('seq', '>=', from)
      .where('seq', '<=', Math.min(toSeq, from + this.#pageSize - 1))
      .orderBy('seq')
      .execute()
    // The first stored seq at or after `from` (up to toSeq): where reading resumes after an
    // empty range, so a gap of any length, or a to_seq far past the end, costs one query.
    const firstFrom = async (from: number): Promise<number | undefined> => {
      const row = await this.#db.selectFrom('audit_events').select('seq')
        .where('tenant', '=', tenant).where('seq', '>=', from).where('seq', '<=', toSeq)
        .orderBy('seq').limit(1).executeTakeFirst()
      return row?.seq
    }
    let pending: Array<{ from: number, rows: Promise<StoredRecordRow[]> }> = []
    let next: number | undefined = fromSeq
    const fill = () => {
      while (next !== undefined && pending.length <= this.#readAhead && next <= toSeq) {
        pending.push({ from: next, rows: page(next) })
        next += this.#pageSize
      }
    }
    try {
      for (fill(); pending.length > 0; fill()) {
        const { from, rows } = pending.shift()!
        const found = await rows
        if (found.length > 0) {
          yield found
          continue
        }
        // An empty range: drop the reads behind it and go on from the next row there is.
        for (const p of pending) p.rows.catch(() => {})
        pending = []
        next = await firstFrom(from)
      }
    } finally {
      // A caller that stops early (an error found, a client gone) leaves reads in flight.
      for (const p of pending) p.rows.catch(() => {})
    }
  }

  /** Checkpoints with fromSize <= size <= toSize, ascending. */
  async checkpoints (tenant: string, fromSize: number, toSize: number): Promise<StoredCheckpointRow[]> {
    return await this.#db.selectFrom('checkpoints').select(['size', 'note'])
      .where('tenant', '=', tenant).where('size', '>=', fromSize).where('size', '<=', toSize)
      .orderBy('size').execute()
  }

  /** Hashes of perfect subtrees, read from the rows that completed them (O(log n) point reads). */
  async nodes (tenant: string, nodes: TreeNode[]): Promise<Buffer[]> {
    if (nodes.length === 0) return []
    const locations = nodes.map(n => nodeLocation(n.level, n.index))
    const rows = await this.#db.selectFrom('audit_events').select(['seq', 'tree_nodes'])
      .where('tenant', '=', tenant).where('seq', 'in', locations.map(l => l.seq)).execute()
    const bySeq = new Map(rows.map(r => [r.seq, r.tree_nodes]))
    return locations.map(({ seq, offset }) => {
      const buf = bySeq.get(seq)
      const hash = buf?.subarray(offset * 32, offset * 32 + 32)
      if (hash === undefined || hash.length !== 32) throw new Error(`tree node missing at seq ${seq}`)
      return Buffer.from(hash)
    })
  }

  /** What a verifier needs to start after record `seq`: its hash and the tree frontier. */
  async stateAfter (tenant: string, seq: number): Promise<{ prevHash: Buffer, range: CompactRange } | undefined> {
    const row = await this.#db.selectFrom('audit_events').select('hash').where('tenant', '=', tenant).where('seq', '=', seq).executeTakeFirst()
    if (row === undefined) return undefined
    return { prevHash: row.hash, range: CompactRange.fromHashes(seq, await this.nodes(tenant, frontierNodes(seq))) }
  }
}
