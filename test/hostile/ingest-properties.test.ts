import { createHash } from 'node:crypto'
import fc from 'fast-check'
import t from 'tap'
import { canonicalJson, joinPointer } from '../../src/core/json/index.js'
import { DEFAULT_PLACEHOLDER, scrubSecrets } from '../../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../../src/ingest/prepare-event.js'
import { METADATA_LIMITS } from '../../src/schemas/audit-event.js'
import { recomputeChain } from '../chain-check.js'
import { buildTestApp, openDatabase, startTestWorker, testConfig, waitFor, waitForQueueIdle } from '../helper.js'

// 10,000 generated request bodies, valid and invalid, against the ingest routes (no network:
// app.inject). A valid body is accepted and, once the worker has run, stored byte for byte as
// docs/hash-chain.md says: RFC 8785 of the scrubbed event plus the server's fields, with
// `redactions` listing exactly what the scrubber replaced. An invalid body gets a 400, 413 or
// 415 whose errors name the field. Never a 500, never a crash, never half a batch.
//
// Each property run sends ROUND_SIZE bodies at once (so that the API's micro-batching and the
// idempotency keys are exercised under concurrency); NUM_RUNS * ROUND_SIZE bodies in all.

const NUM_RUNS = Number(process.env.HOSTILE_RUNS ?? 1000)
const ROUND_SIZE = 10
const BODY_LIMIT = 256 * 1024
const BATCH_BODY_LIMIT = 5 * 1024 * 1024
/** The largest event (compact JSON) generated as valid: its record stays within RECORD_MAX_BYTES. */
const RECORD_ROOM = 56 * 1024

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }
type Path = Array<string | number>

// ---------------------------------------------------------------------------------------------
// Valid events, within every documented limit

const noNul = (s: string) => !s.includes('\u0000')
// Any code point but lone surrogates. One instance for all: fast-check prepares each
// 'binary' string arbitrary (a map of every code point), which takes a while.
const binaryText = fc.string({ unit: 'binary', maxLength: 24 })
const codePoints = (s: string) => [...s].length
/** Well-formed strings of at most `max` code points (Ajv counts code points), without NUL. */
const text = (max: number, min = 0) => fc.oneof(
  { weight: 3, arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 24) }) },
  { weight: 2, arbitrary: binaryText.filter(s => codePoints(s) >= min && codePoints(s) <= max) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', minLength: min, maxLength: max }) },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(max), '😀'.repeat(max), 'é'.repeat(max)).filter(s => [...s].length >= min) }
).filter(noNul)

/** Secret-shaped strings, so that scrubbing happens inside the generated events. */
const secretish = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9]{16,24}$/).map(s => `Bearer ${s}`),
  fc.stringMatching(/^[A-Z2-7]{16}$/).map(s => `AKIA${s}`),
  fc.stringMatching(/^[a-z0-9]{6,12}$/).map(s => `postgres://app:${s}@db:5432/app`),
  fc.constantFrom('4111 1111 1111 1111', '5555555555554444', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', DEFAULT_PLACEHOLDER, `${DEFAULT_PLACEHOLDER} by policy`)
)

const safeDouble = fc.double({ noNaN: true, noDefaultInfinity: true }).filter(x => !Number.isInteger(x) || Number.isSafeInteger(x))
const scalar: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: text(40) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.maxSafeInteger() },
  { weight: 2, arbitrary: safeDouble },
  { weight: 1, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 5e-324, 0.1, 1e-300, -0) },
  { weight: 1, arbitrary: secretish },
  { weight: 1, arbitrary: fc.constantFrom('x'.repeat(METADATA_LIMITS.maxStringLength), '😀'.repeat(METADATA_LIMITS.maxStringLength / 2)) }
)

const metadataKey = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 2, arbitrary: binaryText.map(s => [...s].slice(0, 8).join('')) },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', '/', '~', '~1', 'a/b~c', '0', '1', '😀', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'toJSON', 'then', 'length') },
  { weight: 1, arbitrary: fc.constantFrom('password', 'api_key', 'X-API-Key', 'refresh_token', 'Authorization', 'cookie', 'cvv', 'pin', 'token_count', 'password_policy') }
).filter(k => k !== '__proto__' && noNul(k))

/** A metadata value with at most `levels` levels of containers (0: a scalar). */
const valueMemo = new Map<number, fc.Arbitrary<Json>>()
function metaValue (levels: number): fc.Arbitrary<Json> {
  let arb = valueMemo.get(levels)
  if (arb !== undefined) return arb
  arb = levels === 0
    ? scalar
    : fc.oneof(
      { weight: 8, arbitrary: scalar },
      { weight: 1, arbitrary: fc.array(metaValue(levels - 1), { maxLength: 5 }) },
      { weight: 1, arbitrary: metaObject(levels) }
    )
  valueMemo.set(levels, arb)
  return arb
}
function metaObject (levels: number): fc.Arbitrary<JsonObject> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.dictionary(metadataKey, metaValue(levels - 1), { maxKeys: 6, noNullPrototype: true }) },
    // Wide: up to the 100 keys allowed per object.
    { weight: 1, arbitrary: fc.integer({ min: 90, max: METADATA_LIMITS.maxKeys }).map(n => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))) }
  )
}
/** metadata itself is level 1 of the 8 allowed. */
const metadata = metaObject(METADATA_LIMITS.maxDepth)

function countValues (value: Json): number {
  if (Array.isArray(value)) return 1 + value.reduce<number>((n, v) => n + countValues(v), 0)
  if (value !== null && typeof value === 'object') return 1 + Object.values(value).reduce<number>((n, v) => n + countValues(v), 0)
  return 1
}

/** `{"constructor":{"prototype":…}}` is refused as prototype pollution, so not generated as valid. */
function hasConstructorPrototype (value: Json): boolean {
  if (Array.isArray(value)) return value.some(hasConstructorPrototype)
  if (value === null || typeof value !== 'object') return false
  const ctor = Object.getOwnPropertyDescriptor(value, 'constructor')?.value as Json | undefined
  if (ctor !== undefined && ctor !== null && typeof ctor === 'object' && !Array.isArray(ctor) && Object.hasOwn(ctor, 'prototype')) return true
  return Object.values(value).some(hasConstructorPrototype)
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')
/** RFC 3339 in the forms Ajv's date-time accepts: `T`/`t`/space, `Z`/`z`/offsets, 0-9 fraction digits. */
const occurredAt = fc.record({
  ms: fc.integer({ min: Date.UTC(1970, 0, 2), max: Date.UTC(9999, 11, 30) }),
  // RFC 3339 allows ±23:59; what PostgreSQL can store, and so the API accepts, is ±15:59.
  offset: fc.oneof(fc.constant(0), fc.integer({ min: -(15 * 60 + 59), max: 15 * 60 + 59 })),
  zone: fc.constantFrom('Z', 'z', 'offset', 'offset-no-colon'),
  separator: fc.constantFrom('T', 't', ' '),
  fraction: fc.integer({ min: 0, max: 9 })
}).map(({ ms, offset, zone, separator, fraction }) => {
  const minutes = zone.startsWith('offset') ? offset : 0
  const local = new Date(ms + minutes * 60_000)
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
  const frac = fraction === 0 ? '' : `.${pad(local.getUTCMilliseconds(), 3).padEnd(fraction, '7').slice(0, fraction)}`
  const sign = minutes < 0 ? '-' : '+'
  const hhmm = [pad(Math.floor(Math.abs(minutes) / 60)), pad(Math.abs(minutes) % 60)]
  const tz = zone === 'Z' || zone === 'z' ? zone : `${sign}${hhmm.join(zone === 'offset' ? ':' : '')}`
  return `${date}${separator}${time}${frac}${tz}`
})

const action = fc.oneof(
  fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/), { minLength: 1, maxLength: 6 }).map(parts => parts.join('.')),
  fc.constant('a'.repeat(128)),
  fc.constant(`${'a'.repeat(63)}.${'b'.repeat(64)}`)
)
const tenant = fc.constantFrom('default', 'acme', 'T0.x_y-z', 'a'.repeat(64))
const uuidArb = fc.tuple(fc.uuid(), fc.constantFrom('lower', 'upper', 'mixed')).map(([id, kind]) =>
  kind === 'lower' ? id : kind === 'upper' ? id.toUpperCase() : [...id].map((c, i) => i % 2 === 0 ? c.toUpperCase() : c).join(''))

const validEvent: fc.Arbitrary<JsonObject> = fc.record({
  id: uuidArb,
  occurred_at: occurredAt,
  action,
  actor: fc.record({
    type: text(64, 1),
    id: fc.oneof(text(256, 1), secretish),
    name: fc.oneof(text(256), secretish),
    ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.stringMatching(/^[0-9A-Fa-f:.]{2,45}$/)),
    user_agent: text(1024)
  }, { requiredKeys: ['type', 'id'], noNullPrototype: true }),
  target: fc.record({ type: text(64, 1), id: text(256, 1), name: text(256) }, { requiredKeys: ['type', 'id'], noNullPrototype: true }),
  outcome: fc.constantFrom('success', 'failure', 'unknown'),
  tenant,
  source: fc.record({ service: text(128, 1), version: text(64), instance: text(128) }, { requiredKeys: ['service'], noNullPrototype: true }),
  request_id: fc.oneof(text(256, 1), secretish),
  session_id: text(256, 1),
  metadata
}, { requiredKeys: ['occurred_at', 'action', 'actor'], noNullPrototype: true })
  .filter(e => (e.metadata === undefined || countValues(e.metadata) <= METADATA_LIMITS.maxNodes) && !hasConstructorPrototype(e as Json))
  // Within RECORD_MAX_BYTES (65,535 by default, what a tlog-tiles entry carries) once stored:
  // room for the server's members, placeholders and up to 4,096 characters of redactions.
  .filter(e => Buffer.byteLength(JSON.stringify(e)) <= RECORD_ROOM)
  .map(e => e as JsonObject)

// ---------------------------------------------------------------------------------------------
// Serialising, exactly as a producer might: plain, pretty, all non-ASCII escaped, with a BOM.

type Style = 'plain' | 'pretty' | 'ascii' | 'bom'
const style = fc.constantFrom<Style>('plain', 'plain', 'plain', 'pretty', 'ascii', 'bom')
function serialize (value: Json, how: Style = 'plain'): string {
  if (how === 'pretty') return JSON.stringify(value, null, 2)
  if (how === 'ascii') return JSON.stringify(value).replace(/[\u0080-\uffff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (how === 'bom') return `\uFEFF${JSON.stringify(value)}`
  return JSON.stringify(value)
}

// Raw-text edits JSON.stringify cannot express: a member appended to an object (a duplicate
// key, `__proto__`) or a number written as text. A placeholder member or value marks the spot.
const MARK_KEY = '\u0001mark\u0001'
const MARK_VALUE = '\u0001value\u0001'
const withMember = (value: Json, path: Path, rawMember: string): string => {
  const copy = structuredClone(value) as Json
  ;(at(copy, path) as JsonObject)[MARK_KEY] = 0
  return JSON.stringify(copy).replace(`${JSON.stringify(MARK_KEY)}:0`, () => rawMember)
}
const withRawValue = (value: Json, path: Path, rawValue: string): string => {
  const copy = structuredClone(value) as Json
  setAt(copy, path, MARK_VALUE)
  return JSON.stringify(copy).replace(JSON.stringify(MARK_VALUE), () => rawValue)
}

function at (value: Json, path: Path): Json | undefined {
  let here: Json | undefined = value
  for (const token of path) here = (here as Record<string, Json> | undefined)?.[token as string]
  return here
}
function setAt (value: Json, path: Path, replacement: Json): void {
  const parent = at(value, path.slice(0, -1)) as Record<string | number, Json>
  parent[path[path.length - 1]!] = replacement
}
/** Adds a member, making room first in an object already at the 100-key limit. */
function putMember (object: JsonObject, key: string, value: Json): void {
  const keys = Object.keys(object)
  if (!Object.hasOwn(object, key) && keys.length >= METADATA_LIMITS.maxKeys) delete object[keys[0]!]
  object[key] = value
}
function deleteAt (value: Json, path: Path): void {
  const parent = at(value, path.slice(0, -1)) as Record<string, Json>
  delete parent[path[path.length - 1] as string]
}

/** Paths of every object in metadata (metadata itself included). */
function metadataObjects (event: JsonObject): Path[] {
  const out: Path[] = []
  const walk = (value: Json, path: Path) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]))
    else if (value !== null && typeof value === 'object') {
      out.push(path)
      for (const key of Object.keys(value)) walk(value[key]!, [...path, key])
    }
  }
  if (event.metadata !== undefined) walk(event.metadata, ['metadata'])
  return out
}

/** Every string of the event, and every metadata key, with where it is. */
function stringPlaces (event: JsonObject): Array<{ path: Path, key: boolean }> {
  const out: Array<{ path: Path, key: boolean }> = []
  const walk = (value: Json, path: Path, inMetadata: boolean) => {
    if (typeof value === 'string') out.push({ path, key: false })
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i], inMetadata))
    else if (value !== null && typeof value === 'object') {
      for (const key of Object.keys(value)) {
        if (inMetadata) out.push({ path: [...path, key], key: true })
        walk(value[key]!, [...path, key], inMetadata || (path.length === 0 && key === 'metadata'))
      }
    }
  }
  walk(event, [], false)
  return out
}

// ---------------------------------------------------------------------------------------------
// Invalid bodies: a valid event and one thing wrong with it, and what the answer must say.

interface Expectation {
  status: 400 | 413 | 415
  /** The error names exactly this field (a pointer into the body). */
  field?: string
  /** Or some field under this pointer. */
  fieldUnder?: string
  reason?: RegExp
}
interface Broken {
  kind: string
  /** Only meaningful as a whole body, not as an item of a batch. */
  singleOnly?: boolean
  /** The body text, or the event to serialise. */
  text: string
  expect: Expectation
}

const SCHEMA_OBJECTS: Record<string, string[]> = {
  '': ['id', 'occurred_at', 'action', 'actor', 'target', 'outcome', 'tenant', 'source', 'request_id', 'session_id', 'metadata'],
  actor: ['type', 'id', 'name', 'ip', 'user_agent'],
  target: ['type', 'id', 'name'],
  source: ['service', 'version', 'instance']
}
const STRING_FIELDS: Array<{ path: Path, max: number, min: number }> = [
  { path: ['occurred_at'], max: 40, min: 1 },
  { path: ['action'], max: 128, min: 1 },
  { path: ['actor', 'type'], max: 64, min: 1 },
  { path: ['actor', 'id'], max: 256, min: 1 },
  { path: ['actor', 'name'], max: 256, min: 0 },
  { path: ['actor', 'ip'], max: 45, min: 2 },
  { path: ['actor', 'user_agent'], max: 1024, min: 0 },
  { path: ['target', 'type'], max: 64, min: 1 },
  { path: ['target', 'id'], max: 256, min: 1 },
  { path: ['target', 'name'], max: 256, min: 0 },
  { path: ['source', 'service'], max: 128, min: 1 },
  { path: ['source', 'version'], max: 64, min: 0 },
  { path: ['source', 'instance'], max: 128, min: 0 },
  { path: ['request_id'], max: 256, min: 1 },
  { path: ['session_id'], max: 256, min: 1 },
  { path: ['tenant'], max: 64, min: 1 },
  { path: ['id'], max: 36, min: 36 },
  { path: ['outcome'], max: 7, min: 7 }
]
const OBJECT_FIELDS: Path[] = [['actor'], ['target'], ['source'], ['metadata']]

/** The event with the parents of `path` present (a target or source is added when missing). */
function withParents (event: JsonObject, path: Path): JsonObject {
  const copy = structuredClone(event)
  if (path[0] === 'target' && copy.target === undefined) copy.target = { type: 'doc', id: 'd1' }
  if (path[0] === 'source' && copy.source === undefined) copy.source = { service: 'svc' }
  if (path[0] === 'metadata' && copy.metadata === undefined) copy.metadata = {}
  return copy
}
const pointer = (path: Path) => joinPointer(path)

const unknownKey = binaryText.map(s => [...s].slice(0, 10).join(''))

const mutations: Array<(event: JsonObject) => fc.Arbitrary<Broken>> = [
  // A field the schema does not know, in any of its objects.
  event => fc.tuple(fc.constantFrom(...Object.keys(SCHEMA_OBJECTS)), unknownKey, scalar).filter(([object, key]) =>
    !SCHEMA_OBJECTS[object]!.includes(key) && key !== '__proto__' && noNul(key)).map(([object, key, value]) => {
    const path: Path = object === '' ? [] : [object]
    const copy = withParents(event, path)
    ;(at(copy, path) as JsonObject)[key] = value
    return { kind: 'unknown field', text: serialize(copy), expect: { status: 400, field: pointer([...path, key]), reason: /unknown field/ } }
  }),
  // A value of the wrong type.
  event => fc.tuple(fc.constantFrom(...STRING_FIELDS.map(f => f.path), ...OBJECT_FIELDS), fc.constantFrom<Json>(42, 1.5, true, false, null, [], ['x'], {}, { a: 'b' }, 'text')).filter(([path, value]) =>
    OBJECT_FIELDS.some(p => p.join() === path.join()) ? typeof value !== 'object' || value === null || Array.isArray(value) : typeof value !== 'string').map(([path, value]) => {
    const copy = withParents(event, path)
    setAt(copy, path, value)
    return { kind: 'wrong type', text: serialize(copy), expect: { status: 400, field: pointer(path) } }
  }),
  // A required field missing.
  event => fc.constantFrom<Path>(['occurred_at'], ['action'], ['actor'], ['actor', 'type'], ['actor', 'id'], ['target', 'type'], ['target', 'id'], ['source', 'service']).map(path => {
    const copy = withParents(event, path)
    deleteAt(copy, path)
    return { kind: 'missing required', text: serialize(copy), expect: { status: 400, field: pointer(path), reason: /required/ } }
  }),
  // A string one code point too long (astral characters count once), or an empty required one.
  event => fc.tuple(fc.constantFrom(...STRING_FIELDS), fc.constantFrom('x', '😀', 'é'), fc.boolean()).map(([field, ch, tooLong]) => {
    const copy = withParents(event, field.path)
    const short = field.min > 0 && !tooLong
    setAt(copy, field.path, short ? '' : ch.repeat(field.max + 1))
    return { kind: short ? 'empty string' : 'too long', text: serialize(copy), expect: { status: 400, field: pointer(field.path) } }
  }),
  event => fc.tuple(fc.constantFrom(...metadataObjects(withParents(event, ['metadata']))), fc.constantFrom('x', '😀')).map(([path, ch]) => {
    const copy = withParents(event, ['metadata'])
    putMember(at(copy, path) as JsonObject, 'long', ch.repeat(ch.length === 1 ? METADATA_LIMITS.maxStringLength + 1 : METADATA_LIMITS.maxStringLength / 2 + 1))
    return { kind: 'metadata string too long', text: serialize(copy), expect: { status: 400, field: pointer([...path, 'long']), reason: /8192/ } }
  }),
  // Formats and patterns.
  event => fc.constantFrom<[Path, string]>(
    [['action'], 'user login'], [['action'], 'a..b'], [['action'], '.a'], [['action'], 'a.'], [['action'], 'é.b'],
    [['actor', 'ip'], 'g.0.0.1'], [['actor', 'ip'], '1'], [['tenant'], '-x'], [['tenant'], 'a/b'], [['tenant'], ''],
    [['id'], 'not-a-uuid'], [['id'], 'urn:uuid:0193a1b2-0000-7000-8000-000000000001'], [['id'], '{0193a1b2-0000-7000-8000-000000000001}'],
    [['id'], '0193a1b200007000800000000000000 1'], [['outcome'], 'maybe'], [['outcome'], 'Success'],
    [['occurred_at'], 'yesterday'], [['occurred_at'], '2026-02-30T00:00:00Z'], [['occurred_at'], '2026-11-26T12:00:00'],
    [['occurred_at'], '2026-11-26T12:00:00+01'], [['occurred_at'], '1969-12-31T23:59:59Z'], [['occurred_at'], '2016-12-31T23:59:60Z'],
    [['occurred_at'], '0000-01-01T00:00:00Z'], [['occurred_at'], '2026-11-26T12:00:00+16:00'], [['occurred_at'], '2026-11-26t12:00:00.5-2359'], [['occurred_at'], '2026-11-26T24:00:00Z'], [['occurred_at'], '+02026-11-26T12:00:00Z']
  ).map(([path, value]) => {
    const copy = structuredClone(event)
    setAt(copy, path, value)
    return { kind: `bad ${path.join('.')}`, text: serialize(copy), expect: { status: 400, field: pointer(path) } }
  }),
  // A lone surrogate or a NUL anywhere: in any string, or in a metadata key.
  event => fc.tuple(fc.constantFrom(...stringPlaces(event)), fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\u0000'), fc.nat()).map(([place, ch, position]) => {
    const copy = structuredClone(event)
    if (place.key) {
      const parent = at(copy, place.path.slice(0, -1)) as JsonObject
      const old = place.path[place.path.length - 1] as string
      const key = insertAt(old, ch, position)
      const rebuilt = Object.fromEntries(Object.entries(parent).map(([k, v]) => [k === old ? key : k, v]))
      setAt(copy, place.path.slice(0, -1), rebuilt)
      return { kind: ch === '\u0000' ? 'NUL in a key' : 'lone surrogate in a key', text: serialize(copy), expect: { status: 400, field: pointer([...place.path.slice(0, -1), key]) } }
    }
    setAt(copy, place.path, insertAt(at(copy, place.path) as string, ch, position))
    return { kind: ch === '\u0000' ? 'NUL in a string' : 'lone surrogate in a string', text: serialize(copy), expect: { status: 400, field: pointer(place.path) } }
  }),
  // Numbers outside I-JSON, written as text (JSON.parse would round them silently).
  event => fc.tuple(fc.constantFrom(...metadataObjects(withParents(event, ['metadata']))), fc.constantFrom(
    ['9007199254740993', /2\^53/], ['-9007199254740993', /2\^53/], ['9007199254740992', /2\^53/], ['123456789012345678901234567890', /2\^53/],
    ['1e300', /2\^53/], ['1.7976931348623157e308', /2\^53/], ['1e400', /finite/], ['-1e400', /finite/],
    ['1e-400', /too small/], ['-2e-324', /too small/], [`0.${'0'.repeat(400)}1`, /too small/]
  )).map(([path, [number, reason]]) => {
    const copy = withParents(event, ['metadata'])
    putMember(at(copy, path) as JsonObject, 'n', 0)
    return { kind: `number ${number.slice(0, 12)}`, text: withRawValue(copy, [...path, 'n'], number), expect: { status: 400, field: pointer([...path, 'n']), reason } }
  }),
  // Too deep: just past the metadata limit, or past the parser's own bound.
  event => fc.tuple(fc.constantFrom(8, 9, 31, 40, 200), fc.constantFrom('[', '{"d":')).map(([levels, open]) => {
    const close = open === '[' ? ']' : '}'
    const copy = withParents(event, ['metadata'])
    putMember(copy.metadata as JsonObject, 'deep', 0)
    return { kind: `nested ${levels}`, text: withRawValue(copy, ['metadata', 'deep'], `${open.repeat(levels)}1${close.repeat(levels)}`), expect: { status: 400, fieldUnder: '/metadata/deep', reason: /nesting deeper/ } }
  }),
  // Too many keys in one object, or too many values in all.
  // (Only where one more level is allowed: metadata's own objects are levels 1 to 8.)
  event => fc.tuple(fc.constantFrom(...metadataObjects(withParents(event, ['metadata'])).filter(path => path.length < METADATA_LIMITS.maxDepth)), fc.constantFrom(101, 1001, 2000)).map(([path, n]) => {
    const copy = withParents(event, ['metadata'])
    const wide = Object.fromEntries(Array.from({ length: n }, (_, i) => [`w${i}`, i]))
    if (path.length === 1) copy.metadata = wide
    else putMember(at(copy, path) as JsonObject, 'wide', wide)
    const where = path.length === 1 ? ['metadata'] : [...path, 'wide']
    return { kind: `${n} keys`, text: serialize(copy), expect: { status: 400, field: pointer(where), reason: /100 (properties|keys)|more than 1000 keys/ } }
  }),
  event => fc.constantFrom(2100, 20_000).map(n => {
    const copy = withParents(event, ['metadata'])
    putMember(copy.metadata as JsonObject, 'many', Array.from({ length: n }, () => 0))
    return { kind: `${n} values`, text: serialize(copy), expect: { status: 400, fieldUnder: '', reason: /more than 2064 values/ } }
  }),
  // A key twice in one object (the same or another value, written the same or escaped).
  event => {
    const objects: Path[] = [[], ['actor'], ...(event.target !== undefined ? [['target']] : []), ...metadataObjects(event)]
    return fc.constantFrom(...objects).filter(path => Object.keys(at(event, path) as JsonObject).length > 0).chain(path =>
      fc.tuple(fc.constantFrom(...Object.keys(at(event, path) as JsonObject)), fc.boolean(), fc.boolean()).map(([key, same, escaped]) => {
        const value = same ? at(event, [...path, key])! : 'other'
        const name = escaped ? `"${[...key].map(c => c.length === 1 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c).join('')}"` : JSON.stringify(key)
        return { kind: 'duplicate key', text: withMember(event, path, `${name}:${JSON.stringify(value)}`), expect: { status: 400, field: pointer([...path, key]), reason: /duplicate key/ } }
      }))
  },
  // Prototype pollution shapes, anywhere.
  event => fc.tuple(fc.constantFrom<Path>([], ['actor'], ...metadataObjects(event)), fc.constantFrom('"__proto__"', '"\\u005f_proto__"')).map(([path, key]) => ({
    kind: '__proto__ key', text: withMember(event, path, `${key}:{"polluted":true}`), expect: { status: 400, field: pointer([...path, '__proto__']), reason: /prototype/ }
  })),
  event => fc.constantFrom(...metadataObjects(withParents(event, ['metadata']))).map(path => {
    const copy = withParents(event, ['metadata'])
    putMember(at(copy, path) as JsonObject, 'constructor', { prototype: { polluted: true } })
    return { kind: 'constructor.prototype', text: serialize(copy), expect: { status: 400, field: pointer([...path, 'constructor', 'prototype']), reason: /prototype/ } }
  }),
  // Not JSON at all, or not an object.
  event => fc.nat().map(n => {
    const full = serialize(event)
    return { kind: 'truncated', text: full.slice(0, 1 + (n % (full.length - 1))), expect: { status: 400, field: '', reason: /not valid JSON/ } }
  }),
  () => fc.constantFrom('[]', '"event"', '1', 'null', 'true', '[{}]').map(body => ({ kind: 'not an object', text: body, expect: { status: 400, field: '' } })),
  () => fc.constantFrom<Broken>(
    { kind: 'empty body', text: '', expect: { status: 400, field: '', reason: /empty/ }, singleOnly: true },
    { kind: 'whitespace body', text: ' \n\t ', expect: { status: 400, field: '', reason: /not valid JSON/ }, singleOnly: true },
    { kind: 'a batch sent as one event', text: '{"events":[]}', expect: { status: 400, fieldUnder: '' }, singleOnly: true }
  )
]

/** The same, where the event is item `index` of a batch: the field moves under /events/<index>. */
function inBatch (broken: Broken, others: string[], index: number): Broken {
  const items = [...others]
  items.splice(index, 0, broken.text)
  const prefix = `/events/${index}`
  return {
    kind: `batch item: ${broken.kind}`,
    text: `{"events":[${items.join(',')}]}`,
    expect: {
      ...broken.expect,
      // A truncated item makes the whole batch text invalid; an item that is not an object
      // is refused at its index.
      ...(broken.kind === 'truncated' ? { field: '' } : broken.kind === 'not an object' ? { field: undefined, fieldUnder: prefix } : {}),
      ...(broken.expect.field !== undefined && !/truncated|not an object/.test(broken.kind) && { field: prefix + broken.expect.field }),
      ...(broken.expect.fieldUnder !== undefined && { fieldUnder: prefix + broken.expect.fieldUnder })
    }
  }
}

function insertAt (s: string, ch: string, position: number): string {
  const i = position % (s.length + 1)
  return s.slice(0, i) + ch + s.slice(i)
}

// ---------------------------------------------------------------------------------------------
// Cases: what is sent, with which headers, and what must come back.

interface Case {
  kind: string
  url: '/audit-events' | '/audit-events/batch'
  payload: string | Buffer
  headers: Record<string, string>
  /** For valid cases: the events as the server will parse them. */
  events?: JsonObject[]
  expect?: Expectation
}

const VALID_CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'Application/JSON', 'application/json;charset=UTF-8']
const requestIdHeader = fc.oneof(
  fc.constant(undefined),
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
  fc.constantFrom('has space', 'x'.repeat(129), 'ünïcode')
)
const headersFor = (contentType: string, requestId: string | undefined): Record<string, string> => ({ 'content-type': contentType, ...(requestId !== undefined && { 'x-request-id': requestId }) })

const idsUnique = (events: JsonObject[]) => new Set(events.filter(e => e.id !== undefined).map(e => `${(e.tenant as string | undefined) ?? 'default'}:${String(e.id).toLowerCase()}`)).size === events.filter(e => e.id !== undefined).length

const validSingle: fc.Arbitrary<Case> = fc.tuple(validEvent, style, fc.constantFrom(...VALID_CONTENT_TYPES), requestIdHeader).map(([event, how, contentType, requestId]) => {
  const payload = serialize(event, how)
  return { kind: `valid (${how})`, url: '/audit-events' as const, payload, headers: headersFor(contentType, requestId), events: [JSON.parse(payload.replace(/^\uFEFF/, ''))] }
}).filter(c => Buffer.byteLength(c.payload) <= BODY_LIMIT)

const validBatch: fc.Arbitrary<Case> = fc.tuple(fc.array(validEvent, { minLength: 1, maxLength: 5 }).filter(idsUnique), style, requestIdHeader).map(([events, how, requestId]) => {
  const payload = serialize({ events }, how)
  return { kind: `valid batch of ${events.length} (${how})`, url: '/audit-events/batch' as const, payload, headers: headersFor('application/json', requestId), events: JSON.parse(payload.replace(/^\uFEFF/, '')).events }
}).filter(c => Buffer.byteLength(c.payload) <= BATCH_BODY_LIMIT)

const mutation = validEvent.chain(event => fc.oneof(...mutations.map(m => m(event))))

const invalidSingle: fc.Arbitrary<Case> = mutation.map(broken => ({ kind: broken.kind, url: '/audit-events' as const, payload: broken.text, headers: { 'content-type': 'application/json' }, expect: broken.expect }))

// All or nothing: one bad item refuses the batch, and the error names its index.
const invalidBatch: fc.Arbitrary<Case> = fc.tuple(mutation.filter(b => b.singleOnly !== true), fc.array(validEvent, { maxLength: 4 }), fc.nat()).map(([broken, others, n]) => {
  const index = n % (others.length + 1)
  const batch = inBatch(broken, others.map(e => serialize(e)), index)
  return { kind: batch.kind, url: '/audit-events/batch' as const, payload: batch.text, headers: { 'content-type': 'application/json' }, expect: batch.expect }
})

const invalidBatchShape: fc.Arbitrary<Case> = fc.tuple(validEvent, fc.constantFrom('empty', 'not an array', 'unknown field', 'missing', 'too many')).map(([event, shape]) => {
  const body = shape === 'empty'
    ? { events: [] }
    : shape === 'not an array' ? { events: event } : shape === 'unknown field' ? { events: [event], extra: 1 } : shape === 'missing' ? { event } : { events: Array.from({ length: 1001 }, () => ({ occurred_at: '2026-01-01T00:00:00Z', action: 'a', actor: { type: 'u', id: 'i' } })) }
  const field = shape === 'unknown field' ? '/extra' : '/events'
  return { kind: `batch ${shape}`, url: '/audit-events/batch' as const, payload: JSON.stringify(body), headers: { 'content-type': 'application/json' }, expect: { status: 400 as const, field } }
})

// Whole-body problems: media type, bytes, size.
// (Batches over their 5 MiB limit are left to the specific cases: 10,000 of them would be slow.)
const invalidBody: fc.Arbitrary<Case> = fc.tuple(validEvent, fc.boolean(), fc.oneof(
  fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'text/json', 'application/jsonp', 'application/vnd.api+json', 'none').map(ct => ({ type: 'media' as const, ct })),
  fc.tuple(fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80]), fc.nat()).map(([bytes, n]) => ({ type: 'utf8' as const, bytes, n })),
  fc.constant({ type: 'size' as const })
)).map(([event, batchWanted, problem]): Case => {
  const batch = batchWanted && problem.type !== 'size'
  const url = batch ? '/audit-events/batch' as const : '/audit-events' as const
  const text = batch ? JSON.stringify({ events: [event] }) : JSON.stringify(event)
  if (problem.type === 'media') {
    return { kind: `media type ${problem.ct}`, url, payload: text, headers: problem.ct === 'none' ? {} : { 'content-type': problem.ct }, expect: { status: 415 } }
  }
  if (problem.type === 'utf8') {
    // Inside a string value: after the opening quote of a value.
    const quotes = [...text.matchAll(/:"/g)].map(m => m.index + 2)
    const cut = quotes[problem.n % quotes.length]!
    const bytes = Buffer.concat([Buffer.from(text.slice(0, cut)), Buffer.from(problem.bytes), Buffer.from(text.slice(cut))])
    return { kind: `invalid UTF-8 ${Buffer.from(problem.bytes).toString('hex')}`, url, payload: bytes, headers: { 'content-type': 'application/json' }, expect: { status: 400, field: '', reason: /UTF-8/ } }
  }
  const limit = batch ? BATCH_BODY_LIMIT : BODY_LIMIT
  return { kind: 'over the body limit', url, payload: text + ' '.repeat(limit + 1 - Buffer.byteLength(text)), headers: { 'content-type': 'application/json' }, expect: { status: 413 } }
})

/** Size is judged first: any body over its route's limit is a 413, whatever else is wrong. */
const sizeFirst = (c: Case): Case => {
  const limit = c.url === '/audit-events' ? BODY_LIMIT : BATCH_BODY_LIMIT
  return Buffer.byteLength(c.payload) > limit && c.expect?.status !== 415 ? { ...c, kind: `${c.kind} (over the limit)`, expect: { status: 413 } } : c
}

const anyCase: fc.Arbitrary<Case> = fc.oneof(
  { weight: 30, arbitrary: validSingle },
  { weight: 12, arbitrary: validBatch },
  { weight: 30, arbitrary: invalidSingle.map(sizeFirst) },
  { weight: 14, arbitrary: invalidBatch.map(sizeFirst) },
  { weight: 2, arbitrary: invalidBatchShape },
  { weight: 6, arbitrary: invalidBody }
)

// ---------------------------------------------------------------------------------------------
// The model: what the API must remember, and what must end up stored.

interface Accepted {
  tenant: string
  id: string
  digest: string
  receivedAt: string
  recordSha256: string
  /** The record as enqueued (no `seq`): RFC 8785 of it plus `seq` is the stored row. */
  pending: JsonObject
}

/** docs/hash-chain.md §1: the scrubbed event, plus the server's fields. */
function expectedRecord (sent: JsonObject, server: { id: string, tenant: string, receivedAt: string, requestId: string }): JsonObject {
  // occurred_at, a validated date-time, is the one field not scrubbed.
  const { id: _id, tenant: _tenant, occurred_at: occurredAt, ...event } = sent
  const scrubbed = scrubSecrets(event)
  const record: JsonObject = { occurred_at: occurredAt!, ...(scrubbed.value as JsonObject) }
  const redactions = [...scrubbed.redactions]
  if (record.request_id === undefined) {
    const filled = scrubSecrets({ request_id: server.requestId })
    record.request_id = (filled.value as JsonObject).request_id!
    redactions.push(...filled.redactions)
  }
  return { ...record, v: 1, id: server.id, tenant: server.tenant, received_at: server.receivedAt, redactions }
}

/**
 * Where the stored record differs from what was sent: the scrubber's work, found without
 * the scrubber. Each place must hold the placeholder and be listed in `redactions`.
 */
function differences (sent: Json, stored: Json, path: Path = [], out: string[] = []): string[] {
  const bothObjects = sent !== null && stored !== null && typeof sent === 'object' && typeof stored === 'object'
  if (bothObjects && Array.isArray(sent) === Array.isArray(stored)) {
    const keys = Array.isArray(sent) ? sent.map((_, i) => i) : Object.keys(sent)
    if (keys.length === (Array.isArray(stored) ? stored.length : Object.keys(stored).length)) {
      for (const key of keys) differences((sent as Record<string, Json>)[key]!, (stored as Record<string, Json>)[key]!, [...path, key], out)
      return out
    }
  }
  if (!Object.is(sent, stored) && !(sent === 0 && stored === 0)) out.push(joinPointer(path))
  return out
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64')

// About a minute alone on two cores; more beside other test files.
t.setTimeout(300_000)

t.test(`${NUM_RUNS * ROUND_SIZE} generated bodies: valid ones accepted and stored as documented, invalid ones refused naming the field`, async t => {
  const started = performance.now()
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  const scrub = (value: unknown) => scrubSecrets(value)

  const accepted = new Map<string, Accepted>()
  const stats = new Map<string, number>()
  let bodies = 0

  const check = async (c: Case): Promise<void> => {
    bodies++
    const label = c.kind.replace(/ \(.*\)$/, '').replace(/ of \d+$/, '').replace(/number .*/, 'raw number').replace(/media type .*/, 'media type').replace(/invalid UTF-8 .*/, 'invalid UTF-8')
    stats.set(label, (stats.get(label) ?? 0) + 1)
    const res = await app.inject({ method: 'POST', url: c.url, payload: c.payload, headers: c.headers })
    const describe = () => `${c.kind}: ${res.statusCode} ${res.body.slice(0, 400)}\nsent ${Buffer.from(c.payload).toString('utf8').slice(0, 400)}`
    if (res.statusCode >= 500) throw new Error(`server error. ${describe()}`)
    let body: { message?: string, errors?: Array<{ field: string, reason: string }>, id?: string, items?: Array<Record<string, unknown>> } & Record<string, unknown>
    try {
      body = res.json()
    } catch {
      throw new Error(`answer is not JSON. ${describe()}`)
    }

    if (c.expect !== undefined) {
      const e = c.expect
      if (res.statusCode !== e.status) throw new Error(`expected ${e.status}. ${describe()}`)
      if (typeof body.message !== 'string' || body.message === '') throw new Error(`no message. ${describe()}`)
      const fields = (body.errors ?? []).map(err => err.field)
      if (e.field !== undefined && !fields.includes(e.field)) throw new Error(`expected the error to name ${JSON.stringify(e.field)}. ${describe()}`)
      if (e.fieldUnder !== undefined && !fields.some(f => f === e.fieldUnder || f.startsWith(`${e.fieldUnder}/`) || e.fieldUnder === '')) throw new Error(`expected a field under ${e.fieldUnder}. ${describe()}`)
      if (e.field !== undefined && e.field !== '' && !body.message.includes(e.field)) throw new Error(`the message does not name ${e.field}. ${describe()}`)
      if (e.reason !== undefined && !e.reason.test(body.message)) throw new Error(`expected the reason ${e.reason}. ${describe()}`)
      return
    }

    // Valid: every item is accepted, a duplicate or a conflict, as the model says.
    const events = c.events!
    const requestId = res.headers['x-request-id'] as string
    const answers = c.url === '/audit-events' ? [body] : (body.items ?? [])
    const plan = events.map(event => {
      const tenant = (event.tenant as string | undefined) ?? 'default'
      const sentId = event.id as string | undefined
      const prior = sentId === undefined ? undefined : accepted.get(`${tenant}:${sentId.toLowerCase()}`)
      const digest = prepareEvent(event as never, { tenant, requestId, receivedAt: '', scrub }).digest
      return { event, tenant, sentId, prior, digest }
    })
    const conflict = plan.some(p => p.prior !== undefined && p.prior.digest !== p.digest)
    if (conflict) {
      if (res.statusCode !== 409) throw new Error(`expected 409 (an id reused with other content). ${describe()}`)
      return
    }
    if (res.statusCode !== 202) throw new Error(`expected 202. ${describe()}`)
    if (c.url === '/audit-events/batch' && body.accepted !== events.length) throw new Error(`expected accepted: ${events.length}. ${describe()}`)
    plan.forEach((p, i) => {
      const answer = answers[i] as { id: string, received_at: string, duplicate: boolean, record_sha256: string }
      if (p.prior !== undefined) {
        if (!answer.duplicate || answer.id !== p.prior.id || answer.received_at !== p.prior.receivedAt || answer.record_sha256 !== p.prior.recordSha256) {
          throw new Error(`item ${i}: expected the duplicate answer of ${p.prior.id}. ${describe()}`)
        }
        return
      }
      if (answer.duplicate) throw new Error(`item ${i}: not a duplicate. ${describe()}`)
      if (p.sentId !== undefined && answer.id !== p.sentId.toLowerCase()) throw new Error(`item ${i}: id ${answer.id} is not the one sent (${p.sentId}), lowercased. ${describe()}`)
      const pending = expectedRecord(p.event, { id: answer.id, tenant: p.tenant, receivedAt: answer.received_at, requestId })
      const { id: _id, tenant: _tenant, ...sentEvent } = p.event
      const diff = differences(sentEvent, Object.fromEntries(Object.keys(sentEvent).map(k => [k, pending[k]!])))
      const redactions = pending.redactions as string[]
      if (diff.join('\n') !== redactions.join('\n') || diff.some(d => atPointer(pending, d) !== DEFAULT_PLACEHOLDER)) {
        throw new Error(`item ${i}: redactions ${JSON.stringify(redactions)} do not match the changes ${JSON.stringify(diff)}. ${describe()}`)
      }
      // The receipt's hash: of the record exactly as it will be stored, minus seq.
      if (answer.record_sha256 !== sha256(canonicalJson(pending))) throw new Error(`item ${i}: record_sha256 is not SHA-256 of RFC 8785 of the expected record. ${describe()}`)
      accepted.set(`${p.tenant}:${answer.id}`, { tenant: p.tenant, id: answer.id, digest: p.digest, receivedAt: answer.received_at, recordSha256: answer.record_sha256, pending })
    })
  }

  /** Keys (tenant:id) a valid case's events claim; cases sharing one go in different waves. */
  const claims = (c: Case) => (c.events ?? []).filter(e => e.id !== undefined).map(e => `${(e.tenant as string | undefined) ?? 'default'}:${String(e.id).toLowerCase()}`)

  const seed = process.env.HOSTILE_SEED === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(process.env.HOSTILE_SEED)
  t.comment(`fast-check seed ${seed} (HOSTILE_SEED=${seed} replays this run)`)
  const property = fc.assert(fc.asyncProperty(fc.array(anyCase, { minLength: ROUND_SIZE, maxLength: ROUND_SIZE }), async cases => {
    // Concurrent, except that two cases claiming the same id go one after the other, so the
    // model knows which came first.
    let pending = cases
    while (pending.length > 0) {
      const wave: Case[] = []
      const later: Case[] = []
      const taken = new Set<string>()
      for (const c of pending) {
        if (claims(c).some(k => taken.has(k))) later.push(c)
        else {
          claims(c).forEach(k => taken.add(k))
          wave.push(c)
        }
      }
      await Promise.all(wave.map(check))
      pending = later
    }
  }), { numRuns: NUM_RUNS, seed, endOnFailure: true })
  // On failure, say which body and what came back, not the whole round of ten.
  const failure = await property.then(() => undefined, (err: Error & { cause?: Error }) => err.cause?.message ?? err.message)
  if (failure !== undefined) {
    t.fail(`seed ${seed}: ${failure}`)
    return
  }

  t.ok(bodies >= NUM_RUNS * ROUND_SIZE, `${bodies} bodies sent in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  t.comment([...stats].sort(([, a], [, b]) => b - a).map(([kind, n]) => `${n} ${kind}`).join(', '))
  t.ok(accepted.size > NUM_RUNS, `${accepted.size} distinct events accepted`)

  // Now the worker: every accepted event, and nothing else, is stored, byte for byte.
  const drainStarted = performance.now()
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const count = async () => Number((await db.selectFrom('audit_events').select(eb => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)
  await waitFor(async () => await count() >= accepted.size, { timeoutMs: 60_000, intervalMs: 200, what: `${accepted.size} rows` }).catch(async err => {
    // Say why: the jobs the worker gave up on (or is retrying) carry the reason.
    const failed = [...await app.eventQueue.getFailed(0, 5), ...await app.eventQueue.getDelayed(0, 5)]
    throw new Error(`${(err as Error).message}; ${await count()} stored; failing jobs: ${failed.map(j => `${j.failedReason} (${JSON.stringify(j.data).slice(0, 600)})`).join('\n')}`)
  })
  // Anything that should not be there has arrived too once no job is left to run.
  await waitForQueueIdle(app.eventQueue)
  t.equal(await count(), accepted.size, 'exactly the accepted events are stored: no item of a refused batch, no duplicate')

  const rows = await db.selectFrom('audit_events').select(['tenant', 'id', 'seq', 'canonical', 'record']).execute()
  let exact = 0
  for (const row of rows) {
    const expected = accepted.get(`${row.tenant}:${row.id}`)
    if (expected === undefined) {
      t.fail(`row ${row.tenant}/${row.id} was never accepted`)
      continue
    }
    const bytes = Buffer.from(canonicalJson({ ...expected.pending, seq: Number(row.seq) }), 'utf8')
    if (!row.canonical.equals(bytes)) t.fail(`${row.tenant}/${row.id}: stored bytes differ\nstored   ${row.canonical.toString('utf8').slice(0, 300)}\nexpected ${bytes.toString('utf8').slice(0, 300)}`)
    else exact++
  }
  t.equal(exact, accepted.size, `${exact} rows are RFC 8785 of the scrubbed event plus the server fields, byte for byte`)
  for (const tenantName of new Set(rows.map(r => r.tenant))) {
    const chain = await recomputeChain(db, tenantName)
    t.same(chain.problems, [], `tenant ${tenantName}: ${chain.count} rows, chain and tree recomputed (jsonb copy equal to the bytes)`)
  }
  t.pass(`stored and checked in ${((performance.now() - drainStarted) / 1000).toFixed(1)} s`)
})

function atPointer (value: Json, pointerText: string): Json | undefined {
  if (pointerText === '') return value
  let here: Json | undefined = value
  for (const raw of pointerText.slice(1).split('/')) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    here = (here as Record<string, Json> | undefined)?.[token]
  }
  return here
}
