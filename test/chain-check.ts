import { type Kysely, sql } from 'kysely'
import { chainHash, genesisHash } from '../src/core/chain/index.js'
import { CompactRange, leafHash } from '../src/core/merkle/index.js'
import type { Database } from '../src/store/database.js'

/**
 * Recomputes a tenant's chain and tree from the stored bytes, independently of the worker,
 * and reports what a test must assert: seqs 1..n, every link, every hash, the stored head.
 */
export async function recomputeChain (db: Kysely<Database>, tenant = 'default') {
  const rows = await db.selectFrom('audit_events')
    .select(['seq', 'id', 'prev_hash', 'hash', 'canonical', sql<boolean>`convert_from(canonical, 'UTF8')::jsonb = record`.as('json_ok')])
    .where('tenant', '=', tenant).orderBy('seq').execute()
  const problems: string[] = []
  let prev = genesisHash()
  const range = CompactRange.empty()
  rows.forEach((row, i) => {
    if (row.seq !== i + 1) problems.push(`row ${i} has seq ${row.seq}`)
    if (!row.prev_hash.equals(prev)) problems.push(`seq ${row.seq}: prev_hash does not link`)
    const hash = chainHash(prev, row.canonical)
    if (!hash.equals(row.hash)) problems.push(`seq ${row.seq}: hash mismatch`)
    if (!row.json_ok) problems.push(`seq ${row.seq}: jsonb differs from canonical`)
    const record = JSON.parse(row.canonical.toString('utf8')) as { seq: number, id: string, tenant: string }
    if (record.seq !== row.seq || record.id !== row.id || record.tenant !== tenant) problems.push(`seq ${row.seq}: record fields differ from columns`)
    range.append(leafHash(row.canonical))
    prev = row.hash
  })
  const head = await db.selectFrom('chain_heads').selectAll().where('tenant', '=', tenant).executeTakeFirst()
  if (rows.length > 0) {
    if (head === undefined) problems.push('no chain head')
    else {
      if (head.size !== rows.length) problems.push(`head size ${head.size} != ${rows.length} rows`)
      if (!head.head_hash.equals(prev)) problems.push('head hash differs from last row')
      if (!head.root_hash.equals(range.root())) problems.push('stored Merkle root differs from recomputed')
    }
  }
  const ids = new Set(rows.map(r => r.id))
  return { count: rows.length, distinctIds: ids.size, problems, ids }
}
