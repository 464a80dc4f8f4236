import { sql, type Kysely } from 'kysely'
import t from 'tap'
import type { Database } from '../../src/store/database.js'
import { PgLogReader } from '../../src/store/pg-log-reader.js'
import { createTestDatabase, openDatabase } from '../helper.js'

// Rows made inside PostgreSQL: paging only looks at tenant and seq.
async function addRows (db: Kysely<Database>, tenant: string, seqs: number[], canonical = '{}'): Promise<void> {
  await sql`
    INSERT INTO audit_events (tenant, seq, id, prev_hash, hash, canonical, record, content_digest, tree_nodes,
      occurred_at, received_at, action, actor_type, actor_id, target_type, target_id, outcome, request_id)
    SELECT ${tenant}, s, gen_random_uuid(), sha256(('p' || s)::bytea), sha256(('h' || s)::bytea), convert_to(${canonical}, 'UTF8'), ${canonical}::jsonb,
      sha256(('d' || s)::bytea), sha256(('n' || s)::bytea), now(), now(), 'a', 'u', 'u', 'd', 'd', 'success', 'r'
    FROM unnest(${seqs}::bigint[]) s`.execute(db)
}

async function readAll (reader: PgLogReader, tenant: string, from: number, to: number) {
  const pages: number[][] = []
  for await (const page of reader.records(tenant, from, to)) pages.push(page.map(r => r.seq))
  return pages
}

t.test('pages by seq range with reads ahead: every row once, in order, across gaps of any length', async t => {
  const db = openDatabase(t, await createTestDatabase(t))
  const seqs = [1, 2, 3, 4, 13, 14, 15, 16, 17, 30]
  await addRows(db, 'a', seqs)
  await addRows(db, 'b', [5, 6, 7]) // another tenant's rows in the gap are not this tenant's
  const reader = new PgLogReader(db, { pageSize: 3, readAhead: 2 })

  const pages = await readAll(reader, 'a', 1, 30)
  t.same(pages.flat(), seqs, 'all rows, in order, none twice')
  t.ok(pages.every(p => p.length > 0 && p.length <= 3), 'no empty page, none over the page size')
  t.same((await readAll(reader, 'a', 3, 15)).flat(), [3, 4, 13, 14, 15], 'a window')
  t.same((await readAll(reader, 'a', 18, 29)).flat(), [], 'a window with no rows')
})

t.test('a to_seq far past the end costs a query, not a page per range', async t => {
  const db = openDatabase(t, await createTestDatabase(t))
  await addRows(db, 'a', [1, 2, 3, 4, 5])
  const reader = new PgLogReader(db, { pageSize: 2, readAhead: 2 })
  t.same((await readAll(reader, 'a', 1, Number.MAX_SAFE_INTEGER)).flat(), [1, 2, 3, 4, 5])
})

t.test('a caller that stops early leaves no unhandled read behind', async t => {
  const db = openDatabase(t, await createTestDatabase(t))
  await addRows(db, 'a', Array.from({ length: 50 }, (_, i) => i + 1))
  const reader = new PgLogReader(db, { pageSize: 5, readAhead: 3 })
  const pages = reader.records('a', 1, 50)
  const first = await pages.next()
  t.same(first.done === true ? [] : first.value.map(r => r.seq), [1, 2, 3, 4, 5])
  await pages.return(undefined)
  // The reads started ahead of the break finish on their own; the pool still serves queries.
  t.equal((await reader.records('a', 46, 50).next()).value?.length, 5)
})

t.test('pages stop at their byte bound, not only at their row count', async t => {
  const db = openDatabase(t, await createTestDatabase(t))
  const seqs = Array.from({ length: 40 }, (_, i) => i + 1).filter(s => s < 20 || s > 24)
  // Every record 100 KB: a page of 1,000 rows would be 100 MB.
  await addRows(db, 'a', seqs, JSON.stringify('x'.repeat(100_000)))
  const reader = new PgLogReader(db, { pageSize: 1000, readAhead: 2, pageBytes: 250_000 })
  const pages: Array<{ seqs: number[], bytes: number }> = []
  for await (const page of reader.records('a', 1, 40)) pages.push({ seqs: page.map(r => r.seq), bytes: page.reduce((sum, r) => sum + r.canonical.length, 0) })
  t.same(pages.flatMap(p => p.seqs), seqs, 'all rows, in order, none twice, across the gap')
  t.ok(pages.every(p => p.seqs.length > 0 && p.bytes < 250_000 + 100_000), `each page within the bound plus one row (${pages.map(p => p.seqs.length).join(', ')} rows)`)

  const one = new PgLogReader(db, { pageSize: 1000, pageBytes: 1 })
  const single: number[][] = []
  for await (const page of one.records('a', 1, 5)) single.push(page.map(r => r.seq))
  t.same(single, [[1], [2], [3], [4], [5]], 'a row larger than the bound still comes, alone')
})

t.test('ranges shrink after a cut and grow back: records of mixed sizes still come once, in order, in bounded pages', async t => {
  const db = openDatabase(t, await createTestDatabase(t))
  // 1-50 small, 51-150 of 10 KB, 151-300 small again.
  await addRows(db, 'a', Array.from({ length: 50 }, (_, i) => i + 1))
  await addRows(db, 'a', Array.from({ length: 100 }, (_, i) => i + 51), JSON.stringify('y'.repeat(10_000)))
  await addRows(db, 'a', Array.from({ length: 150 }, (_, i) => i + 151))
  const reader = new PgLogReader(db, { pageSize: 40, readAhead: 2, pageBytes: 95_000 })
  const pages = await readAll(reader, 'a', 1, 300)
  t.same(pages.flat(), Array.from({ length: 300 }, (_, i) => i + 1), 'every row once, in order')
  // A row is in a page while the bytes before it are under the bound: 10 of 10 KB.
  const big = pages.filter(p => p.some(s => s > 60 && s < 140))
  t.ok(big.every(p => p.length <= 10), `inside the large records, pages hold at most the 10 rows that fit (${big.map(p => p.length).join(', ')})`)
  t.ok(pages.at(-1)!.length === 40 || pages.slice(-3).some(p => p.length === 40), 'back to full pages once records are small again')
})

t.test('checkpoints come in keyset pages, in size order', async t => {
  const db = openDatabase(t, await createTestDatabase(t))
  const sizes = Array.from({ length: 23 }, (_, i) => (i + 1) * 3)
  await sql`INSERT INTO checkpoints (tenant, size, root_hash, note) SELECT 'a', s, sha256(s::text::bytea), 'n' || s FROM unnest(${sizes}::bigint[]) s`.execute(db)
  await sql`INSERT INTO checkpoints (tenant, size, root_hash, note) SELECT 'b', s, sha256(s::text::bytea), 'n' || s FROM unnest(${sizes}::bigint[]) s`.execute(db)
  const reader = new PgLogReader(db, { checkpointPageSize: 5 })
  const pages: number[][] = []
  for await (const page of reader.checkpoints('a', 6, 60)) pages.push(page.map(c => c.size))
  t.same(pages.flat(), sizes.filter(s => s >= 6 && s <= 60), 'the window, in order, this tenant only')
  t.ok(pages.every(p => p.length <= 5), 'pages of at most 5')
})
