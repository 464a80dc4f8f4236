import { randomUUID, type KeyObject } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { sql, type Kysely } from 'kysely'
import { canonicalBytes } from '../src/core/json/index.js'
import { chainHash, genesisHash, type Row } from '../src/core/chain/index.js'
import { formatCheckpoint } from '../src/core/checkpoint/index.js'
import { CompactRange, leafHash } from '../src/core/merkle/index.js'
import { signNote } from '../src/core/note/index.js'
import type { Database } from '../src/store/database.js'
import { insertRows } from '../src/store/pg-event-store.js'

export interface SeedChainedLogOptions {
  tenant: string
  rows: number
  /** Signed checkpoints, spread evenly over the log (the last at its head). */
  checkpoints: number
  origin: string
  key: { name: string, privateKey: KeyObject }
  /** Rows per INSERT. */
  chunk?: number
  log?: (message: string) => void
}

/**
 * Writes a real log straight into the tables, much faster than through the API and worker:
 * chained rows with their tree nodes (inserted as the worker inserts them), the chain head,
 * and checkpoints signed over the true roots, so GET /verify and exports see a valid log.
 * For benches and tests of large logs.
 */
export async function seedChainedLog (db: Kysely<Database>, options: SeedChainedLogOptions): Promise<{ size: number, seconds: number }> {
  const started = performance.now()
  const { tenant, rows: total } = options
  const chunk = options.chunk ?? 5000
  const every = total / Math.max(1, Math.min(options.checkpoints, total))
  let nextCheckpoint = 1
  const checkpointAt = (k: number) => Math.min(total, Math.round(k * every))
  const range = CompactRange.empty()
  let prev = genesisHash()
  const checkpoints: Array<{ size: number, root: Buffer, note: string }> = []
  const time = new Date('2026-01-01T00:00:00Z').getTime()

  const build = (from: number, to: number): Row[] => {
    const rows: Row[] = []
    for (let seq = from; seq <= to; seq++) {
      const at = new Date(time + seq * 1000).toISOString()
      const id = randomUUID()
      const canonical = canonicalBytes({
        id,
        tenant,
        seq,
        occurred_at: at,
        received_at: at,
        action: `doc.${seq % 3 === 0 ? 'edit' : 'view'}`,
        actor: { type: 'user', id: `u${seq % 1000}` },
        target: { type: 'doc', id: `d${seq % 5000}` },
        outcome: 'success'
      })
      const hash = chainHash(prev, canonical)
      const treeNodes = Buffer.concat(range.append(leafHash(canonical)))
      rows.push({ seq, id, prevHash: prev, hash, canonical, digest: hash, treeNodes })
      prev = hash
      while (nextCheckpoint <= options.checkpoints && checkpointAt(nextCheckpoint) === seq) {
        const root = range.root()
        checkpoints.push({ size: seq, root, note: signNote(formatCheckpoint({ origin: options.origin, size: seq, rootHash: root }), options.key) })
        nextCheckpoint++
      }
    }
    return rows
  }

  // Building the next chunk overlaps with PostgreSQL inserting this one.
  let inserting: Promise<void> = Promise.resolve()
  for (let from = 1; from <= total; from += chunk) {
    const rows = build(from, Math.min(total, from + chunk - 1))
    await inserting
    inserting = insertRows(db, tenant, rows)
    if (from % 100_000 < chunk) options.log?.(`seed: ${from + rows.length - 1} of ${total} rows`)
  }
  await inserting
  for (let i = 0; i < checkpoints.length; i += 5000) {
    const page = checkpoints.slice(i, i + 5000)
    await sql`INSERT INTO checkpoints (tenant, size, root_hash, note)
      SELECT ${tenant}, size, root, note FROM unnest(${page.map(c => c.size)}::bigint[], ${page.map(c => c.root)}::bytea[], ${page.map(c => c.note)}::text[]) AS u(size, root, note)`.execute(db)
  }
  await db.insertInto('chain_heads')
    .values({ tenant, size: total, head_hash: prev, frontier: range.toBuffer(), root_hash: range.root() })
    .execute()
  await sql`ANALYZE audit_events`.execute(db)
  const seconds = (performance.now() - started) / 1000
  options.log?.(`seed: ${total} rows and ${checkpoints.length} checkpoints in ${seconds.toFixed(1)} s`)
  return { size: total, seconds }
}
