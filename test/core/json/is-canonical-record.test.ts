import t from 'tap'
import { canonicalJson, isCanonicalRecord } from '../../../src/core/json/index.js'

/** The full check the fast path stands in for: parse, serialize again, compare, read the members. */
function fullCheck (text: string, seq: number, tenant?: string): boolean {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
    if (canonicalJson(parsed) !== text) return false
  } catch {
    return false
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return false
  const rec = parsed as Record<string, unknown>
  return rec['seq'] === seq && (tenant === undefined || rec['tenant'] === tenant)
}

const record = { v: 1, seq: 7, tenant: 'acme', id: '0190f0c4-5b1a-7c3e-8d2f-1a2b3c4d5e6f', action: 'user.login', metadata: { n: [1, -2.5, 1e21, 0.000001, 1e-7, null, true, false], s: 'tab\there "q" \\ é 😂 \u0001 \u007f \u2028', '': {}, a: [] } }
const text = canonicalJson(record)

t.test('accepts a canonical record whose seq and tenant match', async (t) => {
  t.ok(isCanonicalRecord(text, 7, 'acme'))
  t.ok(isCanonicalRecord(text, 7), 'tenant not asked')
  t.ok(isCanonicalRecord('{"seq":1}', 1))
  t.ok(isCanonicalRecord('{"a\\u001fb":"\\n","seq":1}', 1), 'escaped keys are decoded and ordered')
})

t.test('refuses what the full check refuses, and records that do not match the row', async (t) => {
  const cases: Array<[string, string]> = [
    ['seq differs', text.replace('"seq":7', '"seq":8')],
    ['tenant differs', text.replace('"tenant":"acme"', '"tenant":"acmf"')],
    ['seq as a string', '{"seq":"1"}'],
    ['no seq', '{"tenant":"acme"}'],
    ['an array', '[{"seq":1}]'],
    ['whitespace', '{"seq": 1}'],
    ['trailing text', '{"seq":1} '],
    ['keys out of order', '{"seq":1,"a":1}'],
    ['duplicate key', '{"a":1,"a":1,"seq":1}'],
    ['negative zero', '{"n":-0,"seq":1}'],
    ['1.0', '{"n":1.0,"seq":1}'],
    ['exponent written out', '{"n":1E5,"seq":1}'],
    ['leading zero', '{"n":01,"seq":1}'],
    ['plus sign', '{"n":+1,"seq":1}'],
    ['big integer that rounds', '{"n":12345678901234567890,"seq":1}'],
    ['needless escape', '{"s":"\\u0041","seq":1}'],
    ['escaped solidus', '{"s":"\\/","seq":1}'],
    ['uppercase hex escape', '{"s":"\\u001F","seq":1}'],
    ['\\u0008 instead of \\b', '{"s":"\\u0008","seq":1}'],
    ['escaped surrogate pair', '{"s":"\\ud83d\\ude02","seq":1}'],
    ['lone surrogate', '{"s":"\ud800","seq":1}'],
    ['raw control character', '{"s":"\n","seq":1}'],
    ['unterminated string', '{"seq":1,"s":"abc'],
    ['bad literal', '{"b":tru,"seq":1}'],
    ['empty object', '{}'],
    ['empty text', '']
  ]
  for (const [what, candidate] of cases) {
    t.equal(isCanonicalRecord(candidate, 1, what === 'seq differs' || what === 'tenant differs' ? 'acme' : undefined), false, what)
  }
  t.notOk(isCanonicalRecord(text.replace('"seq":7', '"seq":8'), 7, 'acme'), 'seq differs')
})

t.test('deeper than 64 levels is left to the full check', async (t) => {
  const deep = '{"d":'.repeat(70) + '1' + '}'.repeat(70)
  const candidate = `{"d":${deep},"seq":1}`
  t.ok(fullCheck(candidate, 1), 'canonical')
  t.notOk(isCanonicalRecord(candidate, 1), 'not proven here')
})

t.test('never accepts what the full check refuses: generated records and their mutations', async (t) => {
  const { default: fc } = await import('fast-check')
  const tenant = 'acme'
  const records = fc.record({
    seq: fc.integer({ min: 1, max: 2 ** 40 }),
    content: fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 })
  }).map(({ seq, content }) => ({ seq, text: canonicalJson({ ...content, seq, tenant }) }))
  // Edits that canonical text is most sensitive to: JSON's own characters, escapes, digits.
  const pieces = [' ', ',', ':', '"', '\\', '{', '}', '[', ']', '0', '1', '-', '.', 'e', 'E', '+', 'u', '\\u00', 'a', 'é', '\ud83d', '\n']
  const edit = fc.record({ at: fc.nat(), remove: fc.nat({ max: 3 }), insert: fc.constantFrom('', ...pieces) })
  fc.assert(fc.property(records, fc.array(edit, { maxLength: 3 }), ({ seq, text }, edits) => {
    if (!isCanonicalRecord(text, seq, tenant)) return false // every canonical record is proven
    let mutated = text
    for (const { at, remove, insert } of edits) {
      const i = at % (mutated.length + 1)
      mutated = mutated.slice(0, i) + insert + mutated.slice(i + remove)
    }
    return !isCanonicalRecord(mutated, seq, tenant) || fullCheck(mutated, seq, tenant)
  }), { numRuns: 20_000 })
  t.pass('no counterexample')
})
