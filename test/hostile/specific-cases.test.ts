import type { InjectOptions } from 'fastify'
import t from 'tap'
import { findIJsonViolation } from '../../src/core/json/index.js'
import { scrubSecrets } from '../../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../../src/ingest/prepare-event.js'
import { recordOf, buildTestApp, countRows, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor, waitForQueueIdle } from '../helper.js'

// The hostile inputs the issue names, one by one: each is refused with a 4xx naming the field
// (or accepted and stored exactly), quickly, and the service keeps serving. Time limits are
// loose (CI machines are noisy); that a bomb is refused before parsing shows in the reason:
// "deeper than 32 levels" and "more than 1000 keys" come only from the raw-text scan.

type App = Awaited<ReturnType<typeof buildTestApp>>
type Errors = Array<{ field: string, reason: string }>

const EVENT = JSON.stringify(sampleEvent({ metadata: { slot: 0 } }))
/** The sample event with `raw` (JSON text) as the value of metadata.slot. */
const withSlot = (raw: string) => EVENT.replace('"slot":0', () => `"slot":${raw}`)
/** A batch of `n` sample events with `raw` as item `index` (default: the first). */
const batchWith = (raw: string, n = 1, index = 0) => `{"events":[${Array.from({ length: n }, (_, i) => i === index ? raw : EVENT).join(',')}]}`

async function post (app: App, url: string, payload: string | Buffer, headers: Record<string, string> = {}) {
  const started = performance.now()
  const res = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } } as InjectOptions)
  const ms = performance.now() - started
  let body: { message?: string, errors?: Errors, code?: string } & Record<string, unknown> = {}
  try { body = res.json() } catch {}
  return { status: res.statusCode, body, ms, raw: res.body }
}

interface Refusal { status?: number, field?: string, fieldUnder?: string, reason?: RegExp, maxMs?: number }
async function refused (t: Tap, app: App, name: string, url: string, payload: string | Buffer, want: Refusal) {
  const res = await post(app, url, payload)
  t.equal(res.status, want.status ?? 400, `${name}: ${res.status} ${res.raw.slice(0, 240)}`)
  t.type(res.body.message, 'string', `${name}: has a message`)
  const fields = (res.body.errors ?? []).map(e => e.field)
  if (want.field !== undefined) t.ok(fields.includes(want.field), `${name}: names ${want.field} (${fields.join(', ').slice(0, 200)})`)
  if (want.fieldUnder !== undefined) t.ok(fields.some(f => f.startsWith(want.fieldUnder!)), `${name}: names a field under ${want.fieldUnder} (${fields.join(', ').slice(0, 200)})`)
  if (want.reason !== undefined) t.match(res.body.message, want.reason, `${name}: says why`)
  if (want.maxMs !== undefined) t.ok(res.ms < want.maxMs, `${name}: answered in ${res.ms.toFixed(0)} ms (limit ${want.maxMs})`)
  return res
}
type Tap = { equal: typeof t.equal, ok: typeof t.ok, type: typeof t.type, match: typeof t.match }

async function stillServing (t: Tap, app: App) {
  const res = await post(app, '/audit-events', EVENT)
  t.equal(res.status, 202, 'still serving')
}

t.test('depth bombs are refused before parsing, in milliseconds', async t => {
  const app = await buildTestApp(t, await testConfig(t))
  const arrays = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`
  const objects = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`
  // Within the metadata bounds the limit is the documented one, and named precisely.
  await refused(t, app, 'metadata 9 levels', '/audit-events', withSlot(arrays(8)), { fieldUnder: '/metadata/slot', reason: /nesting deeper/ })
  await refused(t, app, 'metadata 40 levels', '/audit-events', withSlot(arrays(40)), { fieldUnder: '/metadata/slot', reason: /nesting deeper/ })
  // The largest bombs each route's body limit allows. JSON.parse alone needs seconds for these.
  await refused(t, app, '120,000 nested arrays (256 KiB)', '/audit-events', withSlot(arrays(120_000)), { fieldUnder: '/metadata/slot/0', reason: /nesting deeper than 32/, maxMs: 2000 })
  await refused(t, app, '40,000 nested objects (240 KiB)', '/audit-events', withSlot(objects(40_000)), { fieldUnder: '/metadata/slot/a', reason: /nesting deeper than 32/, maxMs: 2000 })
  await refused(t, app, '2,500,000 nested arrays (5 MiB batch)', '/audit-events/batch', batchWith(withSlot(arrays(2_500_000))), { fieldUnder: '/events/0/metadata/slot', reason: /nesting deeper than 32/, maxMs: 2000 })
  await refused(t, app, '800,000 nested objects (5 MiB batch)', '/audit-events/batch', batchWith(withSlot(objects(800_000))), { fieldUnder: '/events/0/metadata/slot', reason: /nesting deeper than 32/, maxMs: 2000 })
  await refused(t, app, 'unclosed 5,000,000 [', '/audit-events/batch', `{"events":[${'['.repeat(5_000_000)}`, { fieldUnder: '/events/0', reason: /nesting deeper than 32/, maxMs: 2000 })
  await refused(t, app, 'a bomb in an unknown field', '/audit-events', EVENT.replace('{', () => `{"junk":${arrays(100_000)},`), { fieldUnder: '/junk', maxMs: 2000 })
  await refused(t, app, 'a bomb as the whole body', '/audit-events', arrays(100_000), { fieldUnder: '/0/0/0', maxMs: 2000 })
  await stillServing(t, app)
})

t.test('10 MB bodies are a 413, for both routes', async t => {
  const app = await buildTestApp(t, await testConfig(t))
  const tenMb = withSlot(JSON.stringify('x'.repeat(10 * 1024 * 1024)))
  await refused(t, app, '10 MB event', '/audit-events', tenMb, { status: 413, maxMs: 2000 })
  await refused(t, app, '10 MB batch', '/audit-events/batch', batchWith(tenMb), { status: 413, maxMs: 2000 })
  await refused(t, app, '10 MB of whitespace', '/audit-events', EVENT + ' '.repeat(10 * 1024 * 1024), { status: 413, maxMs: 2000 })
  await refused(t, app, '257 KiB event', '/audit-events', EVENT + ' '.repeat(257 * 1024), { status: 413 })
  t.equal((await post(app, '/audit-events', EVENT + ' '.repeat(255 * 1024))).status, 202, '255 KiB (whitespace counts, and is allowed) is accepted')
  await stillServing(t, app)
})

t.test('objects of 100,000 keys and huge arrays are refused quickly', async t => {
  const app = await buildTestApp(t, await testConfig(t))
  const keys = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`
  const array = (n: number) => `[${Array.from({ length: n }, (_, i) => i % 10).join(',')}]`
  // (100,000 keys do not fit in 256 KiB; the batch route's 5 MiB is where they can come.)
  await refused(t, app, '100,000 keys in metadata', '/audit-events/batch', batchWith(withSlot(keys(100_000))), { field: '/events/0/metadata/slot', reason: /more than 1000 keys/, maxMs: 2000 })
  await refused(t, app, '100,000 keys as metadata', '/audit-events/batch', batchWith(EVENT.replace('{"slot":0}', () => keys(100_000))), { field: '/events/0/metadata', reason: /more than 1000 keys/, maxMs: 2000 })
  await refused(t, app, '100,000 keys as the event', '/audit-events/batch', batchWith(keys(100_000)), { field: '/events/0', reason: /more than 1000 keys/, maxMs: 2000 })
  await refused(t, app, '15,000 keys as the body', '/audit-events', keys(15_000), { field: '', reason: /more than 1000 keys/, maxMs: 2000 })
  await refused(t, app, '1,000 keys in metadata (under the parser bound)', '/audit-events', withSlot(keys(1000)), { field: '/metadata/slot', reason: /more than 100 keys/ })
  await refused(t, app, '101 keys as metadata', '/audit-events', EVENT.replace('{"slot":0}', () => keys(101)), { field: '/metadata', reason: /100/ })

  await refused(t, app, '1,000,000-item array in metadata', '/audit-events/batch', batchWith(withSlot(array(1_000_000))), { fieldUnder: '/events/0/metadata/slot', reason: /more than 2064 values/, maxMs: 2000 })
  await refused(t, app, '100,000 strings in metadata', '/audit-events', withSlot(JSON.stringify(Array.from({ length: 60_000 }, () => 'a'))), { fieldUnder: '/metadata/slot', reason: /more than 2064 values/, maxMs: 2000 })
  await refused(t, app, '1,000,000 items as events', '/audit-events/batch', `{"events":${array(1_000_000)}}`, { field: '/events', reason: /1000/, maxMs: 2000 })
  await refused(t, app, '1,001 events', '/audit-events/batch', batchWith(EVENT, 1001), { field: '/events', reason: /1000/ })
  // The I-JSON walk stops at the first value over the limit and never queues the rest.
  const million = { a: Array.from({ length: 1_000_000 }, () => 0) }
  const walkStarted = performance.now()
  t.same(findIJsonViolation(million, { maxTotalNodes: 10 }), { pointer: '/a/8', reason: 'more than 10 values in total' }, 'the 11th value in document order')
  t.ok(performance.now() - walkStarted < 200, `in ${(performance.now() - walkStarted).toFixed(1)} ms`)
  const before = process.memoryUsage().rss
  for (let i = 0; i < 5; i++) await post(app, '/audit-events/batch', batchWith(withSlot(array(1_000_000))))
  t.ok(process.memoryUsage().rss - before < 300 * 1024 * 1024, `memory stays bounded over repeats (${((process.memoryUsage().rss - before) / 1e6).toFixed(0)} MB)`)
  await stillServing(t, app)
})

t.test('__proto__, constructor and prototype: refused where they pollute, data elsewhere, no pollution anywhere', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort()
  const polluted = () => [({} as Record<string, unknown>).polluted, ([] as unknown as Record<string, unknown>).polluted, (Object.create(null) as Record<string, unknown>).polluted, (JSON.parse('{}') as Record<string, unknown>).polluted]

  await refused(t, app, '__proto__ at the top', '/audit-events', EVENT.replace('{', () => '{"__proto__":{"polluted":true},'), { field: '/__proto__', reason: /__proto__/ })
  await refused(t, app, '__proto__ in actor', '/audit-events', EVENT.replace('"actor":{', () => '"actor":{"__proto__":{"polluted":true},'), { field: '/actor/__proto__' })
  await refused(t, app, '__proto__ at depth', '/audit-events', withSlot('{"a":[{"b":{"__proto__":{"polluted":true}}}]}'), { field: '/metadata/slot/a/0/b/__proto__' })
  await refused(t, app, '__proto__ escaped', '/audit-events', withSlot('{"\\u005f\\u005fproto\\u005f\\u005f":{"polluted":true}}'), { field: '/metadata/slot/__proto__' })
  await refused(t, app, '__proto__ as a string value member', '/audit-events', withSlot('{"__proto__":"x"}'), { field: '/metadata/slot/__proto__' })
  await refused(t, app, 'constructor.prototype', '/audit-events', withSlot('{"constructor":{"prototype":{"polluted":true}}}'), { field: '/metadata/slot/constructor/prototype', reason: /prototype/ })
  await refused(t, app, '__proto__ in a batch item', '/audit-events/batch', batchWith(withSlot('{"__proto__":{"polluted":true}}'), 3, 2), { field: '/events/2/metadata/slot/__proto__' })
  t.same(polluted(), [undefined, undefined, undefined, undefined], 'nothing polluted by the refusals')

  // As data, these names are an audit log's business: accepted and stored as they were sent.
  const dataKeys = { constructor: { name: 'x' }, prototype: { constructor: 'y' }, toString: 'z', valueOf: 1, hasOwnProperty: true, __defineGetter__: null, toJSON: 'not a function', then: 'not a promise', isPrototypeOf: [1] }
  const accepted = await post(app, '/audit-events', JSON.stringify(sampleEvent({ metadata: { ...dataKeys, nested: [dataKeys] }, actor: { type: 'constructor', id: 'prototype', name: '__proto__' } })))
  t.equal(accepted.status, 202, 'constructor/prototype/toString/... as plain data')

  // Past the parser, nothing in the pipeline may turn a `__proto__` member into a prototype:
  // an own `__proto__` property (as JSON.parse makes one) goes through the scrubber, the
  // record, the digest, the queue, the worker and canonicalization as a plain member.
  const hostile = JSON.parse('{"occurred_at":"2026-11-26T12:00:00Z","action":"a.b","actor":{"type":"u","id":"1"},"metadata":{"__proto__":{"polluted":true,"password":"hunter2"},"list":[{"__proto__":{"polluted":true}}],"constructor":{"prototype":{"polluted":true}}}}')
  const prepared = prepareEvent(hostile, { tenant: 'default', requestId: 'r-1', receivedAt: new Date().toISOString(), scrub: value => scrubSecrets(value) })
  const record = recordOf(prepared)
  const metadata = record.metadata as Record<string, unknown>
  t.ok(Object.hasOwn(metadata, '__proto__'), 'the record keeps __proto__ as its own member')
  t.equal(Object.getPrototypeOf(metadata), Object.prototype, 'and its prototype is untouched')
  t.same(record.redactions, ['/metadata/__proto__/password'], 'scrubbed inside it, like anywhere else')
  t.match(prepared.canonical, /"__proto__":\{"password":"\[REDACTED\]","polluted":true\}/, 'canonical JSON has it as a member')
  const [queued] = await app.producer.submit([prepared])
  t.equal(queued!.duplicate, false)

  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  await waitFor(async () => await countRows(db) === 2, { what: '2 rows' })
  const rows = await db.selectFrom('audit_events').select(['id', 'canonical', 'record']).orderBy('seq').execute()
  const first = JSON.parse(rows[0]!.canonical.toString('utf8'))
  t.same(first.metadata.constructor, { name: 'x' }, 'constructor stored as data')
  t.same(first.metadata.prototype, { constructor: 'y' }, 'prototype stored as data')
  t.same(first.metadata.nested[0].toString, 'z')
  t.same(first.actor, { type: 'constructor', id: 'prototype', name: '__proto__' })
  const second = rows[1]!
  t.match(second.canonical.toString('utf8'), /"metadata":\{"__proto__":\{"password":"\[REDACTED\]","polluted":true\},"constructor":\{"prototype":\{"polluted":true\}\},"list":\[\{"__proto__":\{"polluted":true\}\}\]\}/, 'the worker stored __proto__ and constructor.prototype as data')
  t.ok(Object.hasOwn((second.record as { metadata: object }).metadata, '__proto__'), 'the jsonb copy too')
  const read = await app.inject({ method: 'GET', url: `/audit-events/${second.id}` })
  t.equal(read.statusCode, 200, 'and it reads back')
  t.match(read.body, /"__proto__":\{/, 'as data')

  t.same(polluted(), [undefined, undefined, undefined, undefined], 'nothing polluted in this process (API and worker)')
  t.same(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeKeys, 'Object.prototype has no new property')
})

t.test('invalid UTF-8 is refused; a UTF-8 byte order mark is not', async t => {
  const app = await buildTestApp(t, await testConfig(t))
  const [head, tail] = EVENT.split('"Ada"') as [string, string]
  const sequences: Record<string, number[]> = {
    'lone continuation byte': [0x80],
    'invalid start byte 0xff': [0xff],
    'two-byte start without continuation': [0xc3, 0x28],
    'overlong NUL (C0 80)': [0xc0, 0x80],
    'overlong slash (E0 80 AF)': [0xe0, 0x80, 0xaf],
    'UTF-8 encoded surrogate (ED A0 80)': [0xed, 0xa0, 0x80],
    'beyond U+10FFFF (F4 90 80 80)': [0xf4, 0x90, 0x80, 0x80],
    'truncated three-byte sequence': [0xe2, 0x82],
    'five-byte form (F8 88 80 80 80)': [0xf8, 0x88, 0x80, 0x80, 0x80]
  }
  for (const [name, bytes] of Object.entries(sequences)) {
    const body = Buffer.concat([Buffer.from(head + '"A'), Buffer.from(bytes), Buffer.from('a"' + tail)])
    await refused(t, app, name, '/audit-events', body, { field: '', reason: /UTF-8/ })
    await refused(t, app, `${name} in a batch`, '/audit-events/batch', Buffer.concat([Buffer.from('{"events":['), body, Buffer.from(']}')]), { field: '', reason: /UTF-8/ })
  }
  await refused(t, app, 'a truncated sequence at the very end', '/audit-events', Buffer.concat([Buffer.from(EVENT), Buffer.from([0xe2])]), { field: '', reason: /UTF-8/ })
  await refused(t, app, 'UTF-16LE JSON', '/audit-events', Buffer.from(EVENT, 'utf16le'), { field: '' })
  t.equal((await post(app, '/audit-events', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(EVENT)]))).status, 202, 'a UTF-8 BOM is ignored (RFC 8259 allows it)')
  await stillServing(t, app)
})

t.test('lone surrogates, NUL bytes, I-JSON numbers: refused with the field, or stored exactly', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  const field = '/metadata/slot'
  const cases: Array<[string, string, RegExp, string?]> = [
    ['high surrogate', '"\\ud800"', /surrogate/],
    ['low surrogate', '"a\\udfffb"', /surrogate/],
    ['reversed pair', '"\\udc00\\ud800"', /surrogate/],
    ['high surrogate at the end', '"abc\\udbff"', /surrogate/],
    ['surrogate deep in an array', '[1,[2,["\\ud800"]]]', /surrogate/, '/metadata/slot/1/1/0'],
    ['surrogate in a key', '{"\\ud800":1}', /surrogate/, '/metadata/slot/\ud800'],
    ['escaped NUL', '"a\\u0000b"', /NUL/],
    ['escaped NUL in a key', '{"a\\u0000":1}', /NUL/, '/metadata/slot/a\u0000'],
    ['2^53 + 1', '9007199254740993', /2\^53/],
    ['-(2^53 + 1)', '-9007199254740993', /2\^53/],
    ['2^53', '9007199254740992', /2\^53/],
    ['30 digits', '123456789012345678901234567890', /2\^53/],
    ['1e300 (an integer)', '1e300', /2\^53/],
    ['largest double (an integer)', '1.7976931348623157e308', /2\^53/],
    ['overflow to Infinity', '1e400', /finite/],
    ['negative overflow', '-1e400', /finite/],
    ['underflow to 0', '1e-400', /too small/],
    ['underflow written out', `0.${'0'.repeat(330)}1`, /too small/],
    ['negative underflow', '-2e-324', /too small/]
  ]
  for (const [name, raw, reason, at] of cases) {
    await refused(t, app, name, '/audit-events', withSlot(raw), { field: at ?? field, reason })
  }
  await refused(t, app, 'surrogate in actor.name', '/audit-events', EVENT.replace('"Ada"', '"A\\ud800"'), { field: '/actor/name', reason: /surrogate/ })
  await refused(t, app, 'NUL in actor.id', '/audit-events', EVENT.replace('"u_1"', '"u\\u0000"'), { field: '/actor/id', reason: /NUL/ })
  await refused(t, app, 'surrogate in batch item 2', '/audit-events/batch', batchWith(withSlot('"\\ud800"'), 4, 2), { field: '/events/2/metadata/slot' })
  await refused(t, app, 'a raw NUL byte inside a string', '/audit-events', Buffer.from(withSlot('"a\u0000b"')), { field: '', reason: /not valid JSON/ })
  await refused(t, app, 'a raw NUL byte between tokens', '/audit-events', Buffer.from(withSlot('\u00001')), { field: '', reason: /not valid JSON/ })

  // Accepted, and stored in RFC 8785 form: what the record documents.
  const fine: Array<[string, string, string]> = [
    ['a real pair, escaped', '"\\ud83d\\ude00"', '"😀"'],
    ['2^53 - 1', '9007199254740991', '9007199254740991'],
    ['-(2^53 - 1)', '-9007199254740991', '-9007199254740991'],
    ['smallest double', '5e-324', '5e-324'],
    ['negative zero', '-0', '0'],
    ['exponent form', '1E2', '100'],
    ['trailing zeros', '1.50', '1.5'],
    ['a long fraction (rounded to a double)', '0.1000000000000000055511151231257827', '0.1'],
    ['escaped slash and controls', '"\\/\\b\\f\\n\\r\\t\\u001f"', '"/\\b\\f\\n\\r\\t\\u001f"'],
    ['non-ASCII escaped', '"\\u00e9\\u4e2d"', '"é中"']
  ]
  const ids: string[] = []
  for (const [name, raw] of fine) {
    const res = await post(app, '/audit-events', withSlot(raw))
    t.equal(res.status, 202, `${name}: accepted`)
    ids.push(res.body.id as string)
  }
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  await waitFor(async () => await countRows(db) === fine.length, { what: `${fine.length} rows` })
  for (const [i, [name, , stored]] of fine.entries()) {
    const row = await db.selectFrom('audit_events').select(['canonical']).where('id', '=', ids[i]!).executeTakeFirstOrThrow()
    t.ok(row.canonical.toString('utf8').includes(`"slot":${stored}`), `${name}: stored as ${stored}`)
  }
})

t.test('duplicate keys are refused, naming the key and where it is', async t => {
  const app = await buildTestApp(t, await testConfig(t))
  const dup = (s: string, key: string, value: string) => s.replace(`"${key}":`, () => `"${key}":${value},"${key}":`)
  await refused(t, app, 'at the top', '/audit-events', dup(EVENT, 'action', '"user.logout"'), { field: '/action', reason: /duplicate key "action" in the top-level object/ })
  await refused(t, app, 'same value twice', '/audit-events', dup(EVENT, 'outcome', '"success"'), { field: '/outcome', reason: /duplicate key/ })
  await refused(t, app, 'in actor', '/audit-events', dup(EVENT, 'id', '"u_2"'), { field: '/actor/id', reason: /duplicate key "id" in the object at \/actor/ })
  await refused(t, app, 'in metadata, at depth', '/audit-events', withSlot('{"a":[{"k":1,"k":2}]}'), { field: '/metadata/slot/a/0/k', reason: /in the object at \/metadata\/slot\/a\/0/ })
  await refused(t, app, 'escaped spelling of the same key', '/audit-events', withSlot('{"key":1,"\\u006bey":2}'), { field: '/metadata/slot/key' })
  await refused(t, app, 'a secret hidden behind a duplicate', '/audit-events', withSlot('{"password":"hunter2","password":"[REDACTED]"}'), { field: '/metadata/slot/password' })
  await refused(t, app, 'in batch item 1', '/audit-events/batch', batchWith(dup(EVENT, 'action', '"x.y"'), 3, 1), { field: '/events/1/action' })
  await refused(t, app, 'in the batch itself', '/audit-events/batch', `{"events":[${EVENT}],"events":[${EVENT}]}`, { field: '/events' })
  t.equal((await post(app, '/audit-events', withSlot('{"a":1,"A":1,"a ":1}'))).status, 202, 'keys differing in case or space are different keys')
  const res = await post(app, '/audit-events', withSlot(`{"${'k'.repeat(5000)}":1,"${'k'.repeat(5000)}":2}`))
  t.equal(res.status, 400)
  t.ok((res.body.errors?.[0]?.reason.length ?? Infinity) < 200, 'a long duplicate key is shortened in the reason')
})

t.test('malformed JSON: a 400 that locates the problem without quoting the body', async t => {
  const app = await buildTestApp(t, await testConfig(t))
  const secret = 'hunter2-secret-in-malformed-json'
  for (const [name, body] of [
    ['truncated', EVENT.slice(0, 40)],
    ['form encoding sent as JSON', `password=${secret}&user=ann`],
    ['single quotes', `{'password':'${secret}'}`],
    ['trailing comma', EVENT.replace(/}$/, ',}')],
    ['comment', `{/* ${secret} */}`],
    ['NaN', withSlot('NaN')],
    ['empty', ''],
    ['whitespace only', '  \n ']
  ] as const) {
    const res = await refused(t, app, name, '/audit-events', body, { field: '' })
    t.notOk(res.raw.includes(secret), `${name}: the answer does not quote the body`)
    t.equal(res.body.code, 'AUDIT_ERR_VALIDATION', `${name}: the usual error shape`)
  }
})

t.test('a batch with one bad item: all or nothing, and the error names the index', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const events = (n: number) => Array.from({ length: n }, (_, i) => JSON.stringify(sampleEvent({ action: 'batch.item', target: { type: 'doc', id: `d${i}` } })))
  const bad: Array<[string, string, string]> = [
    ['schema: missing actor.id', JSON.stringify(sampleEvent({ actor: { type: 'user' } })), '/actor/id'],
    ['content: integer beyond 2^53', withSlot('9007199254740993'), '/metadata/slot'],
    ['parser: duplicate key', withSlot('{"a":1,"a":2}'), '/metadata/slot/a'],
    ['parser: __proto__', withSlot('{"__proto__":1}'), '/metadata/slot/__proto__'],
    ['content: occurred_at PostgreSQL cannot store', JSON.stringify(sampleEvent({ occurred_at: '2026-11-26T12:00:00+16:00' })), '/occurred_at'],
    ['content: urn:uuid id', JSON.stringify(sampleEvent({ id: 'urn:uuid:0193a1b2-0000-7000-8000-000000000001' })), '/id']
  ]
  for (const [name, item, field] of bad) {
    for (const index of [0, 499, 999]) {
      const items = events(1000)
      items[index] = item
      await refused(t, app, `${name} at ${index} of 1000`, '/audit-events/batch', `{"events":[${items.join(',')}]}`, { field: `/events/${index}${field}` })
    }
  }
  const twoBad = events(5)
  twoBad[1] = withSlot('9007199254740993')
  twoBad[3] = withSlot('"\\ud800"')
  const both = await refused(t, app, 'two bad items', '/audit-events/batch', `{"events":[${twoBad.join(',')}]}`, { field: '/events/1/metadata/slot' })
  t.ok(both.body.errors!.some(e => e.field === '/events/3/metadata/slot'), 'and the other one too')

  // Then a good batch: only its events are stored, none from any refused one.
  const good = await post(app, '/audit-events/batch', `{"events":[${events(3).join(',')}]}`)
  t.equal(good.status, 202)
  await waitFor(async () => await countRows(db) === 3, { what: '3 rows' })
  await waitForQueueIdle(app.eventQueue)
  t.equal(await countRows(db), 3, 'nothing of the refused batches was stored')
})

t.test('event ids: one form for the API and the database', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const upper = '0193A1B2-0000-7ABC-8DEF-00000000000A'
  const first = await post(app, '/audit-events', JSON.stringify(sampleEvent({ id: upper })))
  t.equal(first.status, 202)
  t.equal(first.body.id, upper.toLowerCase(), 'an uppercase id is answered and stored in lowercase')
  const again = await post(app, '/audit-events', JSON.stringify(sampleEvent({ id: upper.toLowerCase() })))
  t.equal(again.body.duplicate, true, 'the same id in the other case is the same event')
  const other = await post(app, '/audit-events', JSON.stringify(sampleEvent({ id: upper.toLowerCase(), outcome: 'failure' })))
  t.equal(other.status, 409, 'and other content under it is a conflict, whatever the case')
  await refused(t, app, 'urn:uuid: prefix (Ajv accepts it, PostgreSQL does not)', '/audit-events', JSON.stringify(sampleEvent({ id: `urn:uuid:${upper}` })), { field: '/id' })
  await waitFor(async () => await countRows(db) === 1, { what: '1 row' })
  const row = await db.selectFrom('audit_events').select(['id', 'canonical']).executeTakeFirstOrThrow()
  t.equal(row.id, upper.toLowerCase())
  t.equal(JSON.parse(row.canonical.toString('utf8')).id, row.id, 'the hashed record and the row agree on the id')
})

t.test('occurred_at: every form the API accepts is stored', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const forms = ['2026-11-26T12:00:00Z', '2026-11-26t12:00:00z', '2026-11-26 12:00:00Z', '2026-11-26T12:00:00.123456789+05:30', '2026-11-26T12:00:00-0800',
    '2026-11-26T12:00:00+15:59', '2026-11-26T12:00:00-15:59', '9999-12-31T23:59:59.9999999Z', '1970-01-01T00:00:00.001Z',
    // 13 digits with a dash, Luhn-valid: the card pattern would match; occurred_at is not scrubbed.
    '2026-11-26T12:00:00.251777777-0406']
  for (const occurredAt of forms) {
    t.equal((await post(app, '/audit-events', JSON.stringify(sampleEvent({ occurred_at: occurredAt })))).status, 202, `${occurredAt}: accepted`)
  }
  await refused(t, app, 'offset +16:00', '/audit-events', JSON.stringify(sampleEvent({ occurred_at: '2026-11-26T12:00:00+16:00' })), { field: '/occurred_at', reason: /15:59/ })
  await refused(t, app, 'offset -23:59', '/audit-events', JSON.stringify(sampleEvent({ occurred_at: '2026-11-26T12:00:00-2359' })), { field: '/occurred_at', reason: /15:59/ })
  await waitFor(async () => await countRows(db) === forms.length, { what: `${forms.length} rows (the worker stores every accepted form)` })
  const stored = await db.selectFrom('audit_events').select(['canonical']).orderBy('seq').execute()
  t.same(stored.map(r => JSON.parse(r.canonical.toString('utf8')).occurred_at), forms, 'occurred_at is stored as sent')
})

t.test('the same id twice in one batch, with different content', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const id = '0193a1b2-0000-7000-8000-0000000000bb'
  const res = await post(app, '/audit-events/batch', JSON.stringify({ events: [sampleEvent({ id }), sampleEvent({ id, outcome: 'failure' })] }))
  if (res.status === 202) {
    await waitFor(async () => await countRows(db) >= 1, { what: 'a row' })
    await waitForQueueIdle(app.eventQueue)
    t.equal(await countRows(db), 2, 'both events answered 202 are stored')
  } else {
    t.equal(res.status, 409, 'or the batch is refused as a conflict')
  }
})
