import { type Kysely, sql } from 'kysely'
import { nodeLocation } from '../core/merkle/index.js'
import { encodeEntryBundle, MAX_ENTRY_BYTES, TILE_WIDTH, tileNodes, type TileRef } from '../core/tiles/index.js'
import { EntryTooLargeError } from '../errors.js'
import type { Database } from './database.js'

/**
 * Reads C2SP tlog-tiles tiles of a tenant's log from what the appender stored: hash tiles from
 * the perfect-subtree hashes in `tree_nodes`, entry bundles from `canonical`. One indexed query
 * per tile, nothing rehashed, whatever the size of the log. The caller checks first that the
 * tree (its latest checkpoint) holds the whole tile.
 */
export class PgTileReader {
  readonly #db: Kysely<Database>

  constructor (db: Kysely<Database>) {
    this.#db = db
  }

  /**
   * The W hashes of tile (L, N): node (8L, i) for i = N*256 .. N*256+W-1, each 32 bytes at
   * offset 8L of `tree_nodes` in row seq = (i + 1) * 2^(8L), the row whose append completed it.
   */
  async hashTile (tenant: string, tile: TileRef & { kind: 'hash' }): Promise<Buffer> {
    const locations = tileNodes(tile).map(n => nodeLocation(n.level, n.index))
    const offset = locations[0]!.offset
    const { rows } = await sql<{ seq: number, hash: Buffer }>`
      SELECT seq, substring(tree_nodes FROM ${offset * 32 + 1} FOR 32) AS hash
      FROM audit_events WHERE tenant = ${tenant} AND seq = ANY(${locations.map(l => l.seq)}::bigint[])
      ORDER BY seq`.execute(this.#db)
    if (rows.length !== locations.length || rows.some(r => r.hash.length !== 32)) {
      const found = new Set(rows.filter(r => r.hash.length === 32).map(r => Number(r.seq)))
      throw new Error(`tree node missing at seq ${locations.find(l => !found.has(l.seq))?.seq} of tenant ${tenant}`)
    }
    return Buffer.concat(rows.map(r => r.hash))
  }

  /**
   * Entry bundle N of width W: the canonical bytes of seq N*256+1 .. N*256+W, the bytes each
   * leaf hashes. A record over 65,535 bytes (stored before RECORD_MAX_BYTES was bounded) cannot
   * be carried: EntryTooLargeError names it.
   */
  async entryBundle (tenant: string, tile: TileRef & { kind: 'entries' }): Promise<Buffer> {
    const first = tile.index * TILE_WIDTH + 1
    const last = first + tile.width - 1
    const rows = await this.#db.selectFrom('audit_events').select(['seq', 'canonical'])
      .where('tenant', '=', tenant).where('seq', '>=', first).where('seq', '<=', last)
      .orderBy('seq').execute()
    if (rows.length !== tile.width) throw new Error(`records missing in seq ${first}..${last} of tenant ${tenant}: ${rows.length} of ${tile.width}`)
    const large = rows.find(r => r.canonical.length > MAX_ENTRY_BYTES)
    if (large !== undefined) throw new EntryTooLargeError(Number(large.seq), large.canonical.length, tenant)
    return encodeEntryBundle(rows.map(r => r.canonical))
  }
}
