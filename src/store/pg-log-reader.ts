import { type Kysely, sql } from 'kysely'
import { CompactRange, frontierNodes, nodeLocation, type TreeNode } from '../core/merkle/index.js'
import type { Database } from './database.js'
import { JSONB_COPY_MISMATCH, type VerifierRecord } from '../core/verify/index.js'

export interface StoredRecordRow {
  seq: number
  canonical: Buffer
  prev_hash: Buffer
  hash: Buffer
  /** Whether the jsonb copy says the same as the canonical bytes. */
  json_ok: boolean
  record?: unknown
}

/** A stored row as the log verifier takes it. */
export function verifierRecord (row: StoredRecordRow): VerifierRecord {
  return {
    seq: row.seq,
    canonical: row.canonical,
    prevHash: row.prev_hash,
    hash: row.hash,
    ...(!row.json_ok && { contentMismatch: JSONB_COPY_MISMATCH })
  }
}

export interface StoredCheckpointRow {
  size: number
  note: string
}

/**
 * Reads a tenant's log for verification, export and proofs. Rows come in keyset pages, so
 * memory stays constant however long the log is.
 */
interface Page {
  rows: StoredRecordRow[]
  /** Whether the byte bound left rows of the range out. */
  cut: boolean
}

export interface PgLogReaderOptions {
  /** Most rows in a page (a seq range). */
  pageSize?: number
  /** Pages read ahead, on other connections, while the caller works on one. */
  readAhead?: number
  /**
   * A page stops once its rows' canonical bytes pass this (the first row always comes): a
   * page of large records must not cost seconds of parsing, hashing or memory in one go.
   */
  pageBytes?: number
  /** Checkpoints per page. */
  checkpointPageSize?: number
}

export class PgLogReader {
  readonly #db: Kysely<Database>
  readonly #pageSize: number
  readonly #readAhead: number
  readonly #pageBytes: number
  readonly #checkpointPageSize: number

  constructor (db: Kysely<Database>, options: PgLogReaderOptions = {}) {
    this.#db = db
    this.#pageSize = options.pageSize ?? 2000
    this.#readAhead = options.readAhead ?? 2
    this.#pageBytes = options.pageBytes ?? 1024 * 1024
    this.#checkpointPageSize = options.checkpointPageSize ?? 500
  }

  async headSize (tenant: string): Promise<number> {
    const head = await this.#db.selectFrom('chain_heads').select('size').where('tenant', '=', tenant).executeTakeFirst()
    return head?.size ?? 0
  }

  /**
   * Pages of rows in seq order, by seq range (`pageSize` seqs each: a chain's seqs are dense,
   * and a missing row only makes its page shorter, for the verifier to report), each cut
   * where its bytes pass `pageBytes`. The next `readAhead` ranges are already being read, by
   * other connections, while the caller works on this one: PostgreSQL (which also compares
   * each jsonb copy) and the caller's hashing overlap instead of taking turns. A page cut by
   * its bytes drops the reads ahead of it and goes on right after its last row, and the ranges
   * read next are as long as the cut page was (doubling back towards `pageSize` once pages
   * use less than half the bytes), so records of a steady size are not cut every page, which
   * would lose the read-ahead.
   */
  async * records (tenant: string, fromSeq: number, toSeq: number, withRecord = false): AsyncGenerator<StoredRecordRow[]> {
    // The running byte count sees only the sizes (octet_length reads no TOASTed value); the
    // jsonb comparison and the copy are computed for the rows kept.
    let span = this.#pageSize
    const pageBytes = (rows: StoredRecordRow[]) => rows.reduce((n, r) => n + r.canonical.length, 0)
    const page = async (from: number, length: number): Promise<Page> => {
      const to = Math.min(toSeq, from + length - 1)
      const { rows } = await sql<StoredRecordRow & { in_range?: number }>`
        SELECT e.seq, e.canonical, e.prev_hash, e.hash,
          (convert_from(e.canonical, 'UTF8')::jsonb = e.record) AS json_ok,
          ${withRecord ? sql`e.record` : sql`null`} AS record, p.in_range
        FROM (
          SELECT seq, sum(octet_length(canonical)) OVER (ORDER BY seq) - octet_length(canonical) AS before,
            count(*) OVER () AS in_range
          FROM audit_events WHERE tenant = ${tenant} AND seq >= ${from} AND seq <= ${to}
        ) p
        JOIN audit_events e ON e.tenant = ${tenant} AND e.seq = p.seq
        WHERE p.before < ${this.#pageBytes}
        ORDER BY e.seq`.execute(this.#db)
      const cut = rows.length > 0 && rows.length < rows[0]!.in_range!
      return { rows, cut }
    }
    // The first stored seq at or after `from` (up to toSeq): where reading resumes after an
    // empty range, so a gap of any length, or a to_seq far past the end, costs one query.
    const firstFrom = async (from: number): Promise<number | undefined> => {
      const row = await this.#db.selectFrom('audit_events').select('seq')
        .where('tenant', '=', tenant).where('seq', '>=', from).where('seq', '<=', toSeq)
        .orderBy('seq').limit(1).executeTakeFirst()
      return row?.seq
    }
    let pending: Array<{ from: number, rows: Promise<Page> }> = []
    let next: number | undefined = fromSeq
    const fill = () => {
      while (next !== undefined && pending.length <= this.#readAhead && next <= toSeq) {
        pending.push({ from: next, rows: page(next, span) })
        next += span
      }
    }
    const dropAhead = () => {
      for (const p of pending) p.rows.catch(() => {})
      pending = []
    }
    try {
      for (fill(); pending.length > 0; fill()) {
        const { from, rows } = pending.shift()!
        const { rows: found, cut } = await rows
        if (found.length > 0) {
          // Cut by its bytes, rows remain in its range: the reads ahead start too far on.
          if (cut) {
            dropAhead()
            next = found[found.length - 1]!.seq + 1
            span = found.length
          } else if (span < this.#pageSize && pageBytes(found) < this.#pageBytes / 2) {
            span = Math.min(this.#pageSize, span * 2)
          }
          yield found
          continue
        }
        // An empty range: drop the reads behind it and go on from the next row there is.
        dropAhead()
        next = await firstFrom(from)
      }
    } finally {
      // A caller that stops early (an error found, a client gone) leaves reads in flight.
      for (const p of pending) p.rows.catch(() => {})
    }
  }

  /**
   * Checkpoints with fromSize <= size <= toSize, ascending, in keyset pages: a tenant signs
   * up to 8,640 a day, so they are read as the verifier advances, never all at once.
   */
  async * checkpoints (tenant: string, fromSize: number, toSize: number): AsyncGenerator<StoredCheckpointRow[]> {
    for (let from = fromSize; from <= toSize;) {
      const rows = await this.#db.selectFrom('checkpoints').select(['size', 'note'])
        .where('tenant', '=', tenant).where('size', '>=', from).where('size', '<=', toSize)
        .orderBy('size').limit(this.#checkpointPageSize).execute()
      if (rows.length > 0) yield rows
      if (rows.length < this.#checkpointPageSize) return
      from = rows[rows.length - 1]!.size + 1
    }
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
