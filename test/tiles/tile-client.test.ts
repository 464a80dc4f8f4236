import { createHash, createPublicKey, verify } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.js'
import { logOrigin } from '../../src/core/checkpoint/index.js'
import { compileScrubber } from '../../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../../src/ingest/prepare-event.js'
import type { AuditEventInput } from '../../src/schemas/audit-event.js'
import { PgEventStore } from '../../src/store/pg-event-store.js'
import { CheckpointSigner } from '../../src/worker/checkpoint-signer.js'
import { ADMIN_AUTH, buildTestApp, openDatabase, queuedOf, sampleEvent, testConfig } from '../helper.js'

// A tile client written from the C2SP tlog-tiles, tlog-checkpoint and signed-note specs alone:
// its own RFC 6962 hashing, tile paths and Ed25519 note check (node:crypto), nothing from
// src/core/merkle or src/core/tiles. Given only a tenant's verifier key (from
// /.well-known/audit-log-keys), it mirrors the log over HTTP from the tile endpoints, rebuilds
// every leaf from the entry bundles, checks every hash tile against those leaves, rebuilds the
// root from the hash tiles and checks it against the signed checkpoint.

// ---- the independent client -------------------------------------------------------------

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest()
const leafHashOf = (entry: Buffer) => sha256(Buffer.from([0]), entry)
const parentOf = (left: Buffer, right: Buffer) => sha256(Buffer.from([1]), left, right)

/** `tile/<L or entries>/<N>[.p/<W>]`: N in 3-digit groups, all but the last prefixed with x. */
function pathOf (level: number | 'entries', n: number, width: number): string {
  let digits = n.toString()
  while (digits.length % 3 !== 0) digits = `0${digits}`
  const groups: string[] = []
  for (let i = 0; i < digits.length; i += 3) groups.push((i + 3 < digits.length ? 'x' : '') + digits.slice(i, i + 3))
  return `tile/${level}/${groups.join('/')}${width === 256 ? '' : `.p/${width}`}`
}

/** A C2SP signed note checked with one verifier key; the checkpoint's origin, size and root. */
function openCheckpoint (note: string, verifierKey: string): { origin: string, size: number, root: Buffer } {
  // <name>+<hex key id>+<base64 of 0x01 || key>: the base64 may hold '+' too.
  const [, name, keyIdHex, keyB64] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(verifierKey) ?? []
  if (name === undefined || keyIdHex === undefined || keyB64 === undefined) throw new Error('not a verifier key')
  const keyBytes = Buffer.from(keyB64, 'base64')
  if (keyBytes.length !== 33 || keyBytes[0] !== 0x01) throw new Error('not an Ed25519 verifier key')
  const keyId = sha256(Buffer.from(name), Buffer.from([0x0a]), keyBytes).subarray(0, 4)
  if (keyId.toString('hex') !== keyIdHex) throw new Error('verifier key id does not match')
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: keyBytes.subarray(1).toString('base64url') }, format: 'jwk' })
  const split = note.lastIndexOf('\n\n')
  const text = note.slice(0, split + 1)
  const signed = note.slice(split + 2).split('\n').filter(l => l !== '').some(line => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line)
    if (m === null || m[1] !== name) return false
    const sig = Buffer.from(m[2]!, 'base64')
    return sig.length === 68 && sig.subarray(0, 4).equals(keyId) && verify(null, Buffer.from(text), publicKey, sig.subarray(4))
  })
  if (!signed) throw new Error('no valid signature by the verifier key')
  const [origin, size, root] = text.split('\n') as [string, string, string]
  if (!/^(0|[1-9]\d*)$/.test(size)) throw new Error('bad size line')
  return { origin, size: Number(size), root: Buffer.from(root, 'base64') }
}

function decodeBundle (bundle: Buffer): Buffer[] {
  const entries: Buffer[] = []
  for (let at = 0; at < bundle.length;) {
    const length = bundle.readUInt16BE(at)
    entries.push(bundle.subarray(at + 2, at + 2 + length))
    at += 2 + length
  }
  return entries
}

type Fetcher = (path: string) => Promise<Response>

interface Mirror { size: number, entries: Buffer[], tiles: Map<string, Buffer>, root: Buffer, fetched: number, ms: { entries: number, hashing: number, tiles: number } }

/** Runs `work` over `items`, `lanes` at a time, results in order (a client fetches tiles in parallel). */
async function inParallel<T, R> (items: T[], lanes: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length)
  let next = 0
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < items.length) { const i = next++; out[i] = await work(items[i]!) }
  }))
  return out
}

/**
 * Mirrors the log at its latest checkpoint from tiles alone, checking all it can. Full tiles
 * never change, so those in `cache` (by path, from an earlier mirror) are not fetched again.
 */
async function mirrorLog (t: Test, get: Fetcher, verifierKey: string, origin: string, cache: Map<string, Buffer>): Promise<Mirror> {
  let fetched = 0
  const body = async (path: string) => {
    const cached = cache.get(path)
    if (cached !== undefined) return cached
    fetched++
    const res = await get(path)
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`)
    const bytes = Buffer.from(await res.arrayBuffer())
    if (path.startsWith('tile/') && !path.includes('.p/')) cache.set(path, bytes)
    return bytes
  }
  const checkpoint = openCheckpoint((await body('checkpoint')).toString('utf8'), verifierKey)
  if (checkpoint.origin !== origin) throw new Error(`checkpoint of ${checkpoint.origin}, not ${origin}`)
  const { size } = checkpoint

  // Every leaf, from the entry bundles.
  const t0 = performance.now()
  const bundles = Array.from({ length: Math.ceil(size / 256) }, (_, n) => ({ n, width: Math.min(256, size - n * 256) }))
  const entries = (await inParallel(bundles, 8, async ({ n, width }) => {
    const bundle = decodeBundle(await body(pathOf('entries', n, width)))
    if (bundle.length !== width) throw new Error(`bundle ${n}: ${bundle.length} entries, not ${width}`)
    return bundle
  })).flat()
  const t1 = performance.now()
  // Every level of the tree from those leaves; each hash tile must say the same.
  const levels: Buffer[][] = [entries.map(leafHashOf)]
  while (levels[levels.length - 1]!.length > 1) {
    const below = levels[levels.length - 1]!
    levels.push(Array.from({ length: Math.floor(below.length / 2) }, (_, i) => parentOf(below[2 * i]!, below[2 * i + 1]!)))
  }
  const t2 = performance.now()
  const tiles = new Map<string, Buffer>()
  let mismatches = 0
  for (let L = 0; 8 * L < levels.length; L++) {
    const count = Math.floor(size / 2 ** (8 * L))
    const atLevel = Array.from({ length: Math.ceil(count / 256) }, (_, n) => ({ n, width: Math.min(256, count - n * 256) }))
    const fetchedTiles = await inParallel(atLevel, 8, async ({ n, width }) => await body(pathOf(L, n, width)))
    for (const [n, tile] of fetchedTiles.entries()) {
      const width = atLevel[n]!.width
      if (tile.length !== 32 * width) throw new Error(`tile ${L}/${n}: ${tile.length} bytes, not ${32 * width}`)
      for (let k = 0; k < width; k++) if (!tile.subarray(32 * k, 32 * k + 32).equals(levels[8 * L]![n * 256 + k]!)) mismatches++
      tiles.set(`${L}/${n}`, tile)
    }
  }
  const t3 = performance.now()
  t.equal(mismatches, 0, `size ${size}: every hash tile holds the hashes of the leaves rebuilt from the entries`)

  // The root from the hash tiles alone: the perfect subtrees of the size, largest first.
  const nodeFromTiles = (h: number, i: number): Buffer => {
    const L = Math.floor(h / 8)
    const r = h % 8
    let row: Buffer[] = []
    for (let k = i * 2 ** r; k < (i + 1) * 2 ** r; k++) {
      const tile = tiles.get(`${L}/${Math.floor(k / 256)}`)!
      row.push(tile.subarray(32 * (k % 256), 32 * (k % 256) + 32))
    }
    while (row.length > 1) row = Array.from({ length: row.length / 2 }, (_, j) => parentOf(row[2 * j]!, row[2 * j + 1]!))
    return row[0]!
  }
  const subtrees: Buffer[] = []
  for (let start = 0, h = 52; start < size; h--) {
    if (start + 2 ** h <= size) { subtrees.push(nodeFromTiles(h, start / 2 ** h)); start += 2 ** h }
  }
  let root = subtrees[subtrees.length - 1]!
  for (let j = subtrees.length - 2; j >= 0; j--) root = parentOf(subtrees[j]!, root)
  t.ok(root.equals(checkpoint.root), `size ${size}: the root rebuilt from the hash tiles is the signed checkpoint's`)
  return { size, entries, tiles, root, fetched, ms: { entries: Math.round(t1 - t0), hashing: Math.round(t2 - t1), tiles: Math.round(t3 - t2) } }
}

// ---- the service ------------------------------------------------------------------------

const scrub = compileScrubber()
const eventsFor = (tenant: string, from: number, count: number) => Array.from({ length: count }, (_, i) => queuedOf(prepareEvent(
  sampleEvent({ target: { type: 'doc', id: `d${from + i}` } }) as AuditEventInput,
  { tenant, requestId: `r${from + i}`, receivedAt: '2026-12-03T12:00:00.000Z', scrub })))

t.test('a tile client mirrors and verifies a public log at 0, 1, 255, 256, 257, 65,536 and 70,000 records', async t => {
  const config = await testConfig(t, { PUBLIC_TENANTS: 'pub' })
  const app = await buildTestApp(t, config)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const db = openDatabase(t, config.databaseUrl)
  const store = new PgEventStore(db)
  const signer = new CheckpointSigner({ store: app.checkpointStore, signersFor: tenant => app.logKeys.keys.signersFor(tenant), originFor: tenant => logOrigin(config.logOrigin, tenant) })

  // What the client knows: the tenant's verifier key, published for anyone.
  const origin = `${config.logOrigin}/pub`
  const keys = await (await fetch(`${base}/.well-known/audit-log-keys?tenant=pub`)).json() as { keys: Array<{ verifier_key: string, status: string }> }
  // The tenant's active key, named after its log's origin (as C2SP tlog-checkpoint advises).
  const verifierKey = keys.keys.find(k => k.status === 'active' && k.verifier_key.startsWith(`${origin}+`))!.verifier_key
  const get: Fetcher = async path => await fetch(`${base}/logs/pub/${path}`)

  // Size 0: nothing is signed, so there is no checkpoint to start from (and no tile).
  const none = await get('checkpoint')
  t.equal(none.status, 404, 'size 0: the checkpoint is a 404')
  t.equal((await none.json() as { code: string }).code, 'AUDIT_ERR_NO_CHECKPOINT')
  t.equal((await get('tile/entries/000.p/1')).status, 404, 'size 0: no entry bundle')
  t.equal((await get('tile/0/000.p/1')).status, 404, 'size 0: no hash tile')

  let size = 0
  const timings: string[] = []
  const mirrors = new Map<number, Mirror>()
  // The client's copy of the full tiles it fetched, which never change.
  const cache = new Map<string, Buffer>()
  for (const target of [1, 255, 256, 257, 65_536, 70_000]) {
    const started = performance.now()
    // The next batch is prepared while the one before is being written, as the worker's appender does.
    let appending: Promise<unknown> = Promise.resolve()
    for (; size < target;) {
      const n = Math.min(2000, target - size)
      const batch = eventsFor('pub', size, n)
      await appending
      appending = store.append('pub', batch)
      size += n
    }
    await appending
    await signer.signNow('pub')
    const filled = performance.now()
    const mirror = await mirrorLog(t, get, verifierKey, origin, cache)
    t.equal(mirror.size, target, `the checkpoint is at ${target}`)
    mirrors.set(target, mirror)
    timings.push(`${target}: fill ${Math.round(filled - started)} ms, mirror ${Math.round(performance.now() - filled)} ms (${mirror.fetched} fetches; entry bundles ${mirror.ms.entries} ms, leaf hashing ${mirror.ms.hashing} ms, hash tiles ${mirror.ms.tiles} ms)`)
  }
  t.comment(timings.join('; '))

  // The leaves are the stored records' canonical bytes, seq 1..n in order.
  const stored = await db.selectFrom('audit_events').select(['seq', 'canonical']).where('tenant', '=', 'pub').where('seq', 'in', [1, 256, 70_000]).orderBy('seq').execute()
  const last = mirrors.get(70_000)!
  t.same(stored.map(r => r.canonical), [last.entries[0], last.entries[255], last.entries[69_999]], 'entries are the stored canonical records')

  // Immutable: a full tile fetched at a smaller size is byte-identical later (the client's
  // cache served it since: fetch it again).
  const fetchNow = async (path: string) => Buffer.from(await (await get(path)).arrayBuffer())
  t.ok((await fetchNow('tile/0/000')).equals(mirrors.get(256)!.tiles.get('0/0')!), 'tile 0/0 fetched at 256 is tile 0/0 at 70,000')
  t.ok((await fetchNow('tile/entries/000')).equals(Buffer.concat(mirrors.get(256)!.entries.map(e => Buffer.concat([Buffer.from([e.length >> 8, e.length & 0xff]), e])))), 'entry bundle 0 at 256 is bundle 0 at 70,000')
  t.ok((await fetchNow('tile/1/000')).equals(mirrors.get(65_536)!.tiles.get('1/0')!), 'tile 1/0 fetched at 65,536 is tile 1/0 at 70,000')
  t.ok(mirrors.get(70_000)!.fetched < 60, `at 70,000 the client fetched only what is new (${mirrors.get(70_000)!.fetched})`)
  const partial = mirrors.get(257)!.tiles.get('0/1')!
  t.equal(partial.length, 32, 'at 257 tile 0/1 is partial, width 1')
  t.ok(last.tiles.get('0/1')!.subarray(0, 32).equals(partial), 'and a prefix of the full tile')

  // Caching: full tiles immutable with a strong ETag (304 on If-None-Match); partial short-lived.
  const full = await get('tile/0/000')
  t.equal(full.headers.get('cache-control'), 'public, max-age=31536000, immutable')
  t.equal(full.headers.get('content-type'), 'application/octet-stream')
  const etag = full.headers.get('etag')!
  t.match(etag, /^"[A-Za-z0-9_-]{43}"$/, 'a strong ETag')
  const again = await fetch(`${base}/logs/pub/tile/0/000`, { headers: { 'if-none-match': etag } })
  t.equal(again.status, 304, 'If-None-Match with its ETag: 304')
  t.equal(again.headers.get('etag'), etag)
  t.equal((await fetch(`${base}/logs/pub/tile/0/000`, { headers: { 'if-none-match': '"other"' } })).status, 200, 'another ETag: the tile')
  const part = await get('tile/1/001.p/17')
  t.equal(part.status, 200)
  t.equal(part.headers.get('cache-control'), 'public, max-age=5', 'a partial tile is short-lived')
  t.equal((await get('checkpoint')).headers.get('cache-control'), 'public, no-cache')
  t.equal((await get('checkpoint')).headers.get('content-type'), 'text/plain; charset=utf-8')

  // Beyond the checkpoint (or a tile that only a larger tree has): 404 with a code.
  await store.append('pub', eventsFor('pub', 70_000, 10))
  const beyond = await get('tile/entries/273.p/113')
  t.equal(beyond.status, 404, 'records stored but not yet signed are not served')
  t.match(await beyond.json(), { code: 'AUDIT_ERR_TILE_NOT_FOUND', message: /needs a tree of 70001 records; the latest checkpoint covers 70000/ })
  for (const path of ['tile/entries/273', 'tile/0/273', 'tile/1/001', 'tile/1/001.p/18', 'tile/2/000', 'tile/3/000.p/1', 'tile/63/000', 'tile/0/x009/x007/x199/x254/x740/x992/000']) {
    const res = await get(path)
    t.equal(res.status, 404, `${path}: out of range`)
  }
  t.equal((await fetch(`${base}/logs/nobody/tile/0/000.p/1`, { headers: ADMIN_AUTH })).status, 404, 'an unknown tenant: 404')

  // Malformed paths: 400, naming the part.
  for (const path of ['tile/0/0', 'tile/0/x000/001', 'tile/0/000.p/0', 'tile/0/000.p/256', 'tile/0/000.p/01', 'tile/00/000', 'tile/01/000', 'tile/64/000',
    'tile/x/000', 'tile/entries/1', 'tile/entries/000.p/', 'tile/entries/000/', 'tile/entries/x001']) {
    const res = await get(path)
    t.equal(res.status, 400, `${path}: malformed`)
    t.equal((await res.json() as { code: string }).code, 'AUDIT_ERR_VALIDATION')
  }
})

t.test('a log that needs a key: 401 without, 403 with another tenant\'s or without events:read; private caching', async t => {
  const config = await testConfig(t, { PUBLIC_TENANTS: 'pub,other' })
  // Not the test app, which sends the admin key with every request.
  const app = await buildApp({ config })
  t.teardown(() => app.close())
  const db = openDatabase(t, config.databaseUrl)
  const store = new PgEventStore(db)
  const signer = new CheckpointSigner({ store: app.checkpointStore, signersFor: tenant => app.logKeys.keys.signersFor(tenant), originFor: tenant => logOrigin(config.logOrigin, tenant) })
  await store.append('acme', eventsFor('acme', 0, 300))
  await signer.signNow('acme')
  const keyOf = async (tenant: string, scopes: string[]) => (await app.inject({ method: 'POST', url: '/keys', headers: ADMIN_AUTH, payload: { tenant, name: `${tenant}-${scopes.join('+')}`, scopes } })).json().key as string
  const acmeReader = `Bearer ${await keyOf('acme', ['events:read'])}`
  const acmeWriter = `Bearer ${await keyOf('acme', ['events:write'])}`
  const globexReader = `Bearer ${await keyOf('globex', ['events:read'])}`
  const get = async (url: string, authorization?: string) => await app.inject({ method: 'GET', url, headers: authorization === undefined ? {} : { authorization } })

  for (const url of ['/logs/acme/checkpoint', '/logs/acme/tile/0/000', '/logs/acme/tile/entries/001.p/44']) {
    const anonymous = await get(url)
    t.equal(anonymous.statusCode, 401, `${url}: no key`)
    t.equal(anonymous.json().code, 'AUDIT_ERR_UNAUTHENTICATED')
    t.equal((await get(url, globexReader)).statusCode, 403, `${url}: another tenant's key`)
    t.match((await get(url, globexReader)).json(), { code: 'AUDIT_ERR_FORBIDDEN', message: /belongs to tenant globex/ })
    t.equal((await get(url, acmeWriter)).statusCode, 403, `${url}: a key without events:read`)
    const ok = await get(url, acmeReader)
    t.equal(ok.statusCode, 200, `${url}: the tenant's reader key`)
    t.equal((await get(url, ADMIN_AUTH.authorization)).statusCode, 200, `${url}: the admin key`)
    t.match(ok.headers['cache-control'], /^private, /, `${url}: cached privately`)
  }
  t.equal((await get('/logs/acme/tile/0/000', acmeReader)).headers['cache-control'], 'private, max-age=31536000, immutable')
  // A public tenant needs no key, even if it has no log yet; a key of another tenant is not looked at.
  t.equal((await get('/logs/other/checkpoint')).statusCode, 404, 'a public tenant with no log: 404, not 401')
  t.equal((await get('/logs/other/tile/0/000', globexReader)).statusCode, 404)
})

t.test('a record larger than an entry, stored by an older version: its bundle is a 422 naming it; its hashes are still served', async t => {
  const config = await testConfig(t, { PUBLIC_TENANTS: 'legacy' })
  const app = await buildTestApp(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const store = new PgEventStore(db)
  const signer = new CheckpointSigner({ store: app.checkpointStore, signersFor: tenant => app.logKeys.keys.signersFor(tenant), originFor: tenant => logOrigin(config.logOrigin, tenant) })
  const metadata = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'x'.repeat(8000)]))
  // What RECORD_MAX_BYTES allowed before (512 KiB): an 80 KB record.
  const big = queuedOf(prepareEvent(sampleEvent({ metadata }) as AuditEventInput, { tenant: 'legacy', requestId: 'big', receivedAt: '2026-12-03T12:00:00.000Z', scrub, recordMaxBytes: 512 * 1024 }))
  await store.append('legacy', eventsFor('legacy', 0, 2))
  await store.append('legacy', [big])
  await store.append('legacy', eventsFor('legacy', 3, 2))
  await signer.signNow('legacy')
  const res = await app.inject({ method: 'GET', url: '/logs/legacy/tile/entries/000.p/5' })
  t.equal(res.statusCode, 422)
  t.match(res.json(), { code: 'AUDIT_ERR_ENTRY_TOO_LARGE', message: /the record at seq 3 is \d{5} bytes, over the 65535 .* GET \/audit-events\?tenant=legacy&seq_from=3&seq_to=3/ })
  t.equal((await app.inject({ method: 'GET', url: '/logs/legacy/tile/entries/000.p/2' })).statusCode, 200, 'a bundle before it is served')
  t.equal((await app.inject({ method: 'GET', url: '/logs/legacy/tile/0/000.p/5' })).statusCode, 200, 'the hash tile holding its leaf is served')
})
