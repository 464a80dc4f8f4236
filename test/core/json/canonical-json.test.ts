import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { CanonicalJsonError, canonicalBytes, canonicalJson } from '../../../src/core/json/index.js'

const JCS = new URL('../../fixtures/vectors/jcs/', import.meta.url)

t.test('RFC 8785 vectors canonicalize to the exact expected bytes', async (t) => {
  const names = readdirSync(new URL('input/', JCS)).filter((f) => f.endsWith('.json'))
  t.ok(names.length >= 6, 'found the vector files')
  for (const file of names) {
    const base = file.replace(/\.json$/, '')
    const input: unknown = JSON.parse(readFileSync(new URL(`input/${file}`, JCS), 'utf8'))
    const hex = readFileSync(new URL(`outhex/${base}.txt`, JCS), 'utf8').replace(/\s+/g, '')
    const want = Buffer.from(hex, 'hex')
    t.ok(canonicalBytes(input).equals(want), `${base}: bytes match`)
    t.equal(canonicalJson(input), want.toString('utf8'), `${base}: string matches`)
  }
})

t.test('sorts keys by UTF-16 code units and normalizes numbers', async (t) => {
  t.equal(canonicalJson({ b: 1, a: [1e21, -0, 0.1], é: null, A: true }), '{"A":true,"a":[1e+21,0,0.1],"b":1,"é":null}')
  t.equal(canonicalJson('\ud83d\ude02'), '"😂"', 'a valid surrogate pair is fine')
})

t.test('rejects values without a canonical form', async (t) => {
  const bad: Array<[string, unknown]> = [
    ['lone high surrogate', '\ud800'],
    ['lone low surrogate in a key', { '\udc00': 1 }],
    ['NaN', [Number.NaN]],
    ['Infinity', { x: Number.POSITIVE_INFINITY }],
    ['undefined at top level', undefined],
    ['function at top level', () => 1],
    ['BigInt', { n: 1n }],
  ]
  for (const [what, value] of bad) {
    t.throws(() => canonicalJson(value), { name: 'CanonicalJsonError', code: 'AUDIT_ERR_CANONICAL' }, what)
  }
  const cyclic: Record<string, unknown> = {}
  cyclic['self'] = cyclic
  t.throws(() => canonicalBytes(cyclic), CanonicalJsonError, 'cycle')
})

t.test('undefined members are dropped like JSON.stringify does', async (t) => {
  t.equal(canonicalJson({ a: undefined, b: [undefined] }), '{"b":[null]}')
})

t.test('the direct path and the canonicalize library agree on generated values (20,000)', async (t) => {
  const { default: fc } = await import('fast-check')
  const { default: canonicalize } = await import('canonicalize')
  const library = (value: unknown): string | Error => {
    try {
      const out = canonicalize(value)
      return out === undefined ? new Error('none') : out
    } catch (err) {
      return err as Error
    }
  }
  const ours = (value: unknown): string | Error => {
    try {
      return canonicalJson(value)
    } catch (err) {
      return err as Error
    }
  }
  // JSON as JSON.parse makes it (with any code point, lone surrogates included), and then
  // anything at all: undefined, functions, symbols, BigInt, dates, sparse arrays, NaN.
  const values = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.json({ maxDepth: 4 }).map(text => JSON.parse(text) as unknown),
    fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })),
    fc.anything({ maxDepth: 3, withBigInt: true, withDate: true, withSparseArray: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true })
  )
  fc.assert(fc.property(values, value => {
    const want = library(value)
    const got = ours(value)
    return want instanceof Error ? got instanceof Error : got === want
  }), { numRuns: 20_000 })
  t.pass('no counterexample')
})

t.test('deeper than the direct path goes: the library decides, cycles included', async (t) => {
  let deep: unknown = 'leaf'
  for (let i = 0; i < 200; i++) deep = { d: deep }
  t.equal(canonicalJson(deep), '{"d":'.repeat(200) + '"leaf"' + '}'.repeat(200))
  const cycle: unknown[] = []
  cycle.push(cycle)
  t.throws(() => canonicalJson(cycle), { code: 'AUDIT_ERR_CANONICAL' })
})
