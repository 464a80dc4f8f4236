import fc from 'fast-check'
import t from 'tap'
import { canonicalMember } from '../../src/core/json/index.js'
import { compileScrubber } from '../../src/ingest/scrub-secrets.js'
import { CanonicalScrubber, NOT_PLAIN } from '../../src/ingest/scrub-to-canonical.js'
import { jsonWithSecrets, memberName } from './helpers/json-with-secrets.js'

// The one-pass writer against its definition: scrub a copy, then canonicalize the member.
const scrubbers = [compileScrubber(), compileScrubber({ extraKeys: ['note', { key: 'id', match: 'suffix' }], extraPatterns: [/forbidden/], placeholder: '***' })]

function twoPass (scrub: typeof scrubbers[number], name: string, value: unknown): unknown {
  try {
    const { value: scrubbed, redactions } = scrub({ [name]: value })
    return { text: canonicalMember(name, (scrubbed as Record<string, unknown>)[name]), redactions }
  } catch (err) {
    return { error: (err as Error).message, pointer: (err as { pointer?: string }).pointer }
  }
}

function onePass (scrub: typeof scrubbers[number], name: string, value: unknown): unknown {
  const redactions: string[] = []
  try {
    return { text: new CanonicalScrubber(scrub.rules).member(name, value, redactions), redactions }
  } catch (err) {
    if (err === NOT_PLAIN) return NOT_PLAIN
    return { error: (err as Error).message, pointer: (err as { pointer?: string }).pointer }
  }
}

t.test('property: one pass gives the two-pass text, redactions and refusals (4,000 members)', async t => {
  let plain = 0
  fc.assert(fc.property(fc.constantFrom(...scrubbers), memberName, jsonWithSecrets.value, (scrub, name, value) => {
    const fast = onePass(scrub, name, value)
    if (fast === NOT_PLAIN) return true
    plain++
    t.same(fast, twoPass(scrub, name, value))
    return true
  }), { numRuns: 4_000 })
  t.ok(plain > 2_000, `${plain} of 4,000 members were plain JSON`)
})

t.test('what is not plain parsed JSON is left to the two-pass form', async t => {
  const writer = new CanonicalScrubber(scrubbers[0]!.rules)
  for (const value of [undefined, Number.NaN, Infinity, 1n, new Date(0), { a: undefined }, ['\uD800'], { '\uDC00': 1 }]) {
    t.throws(() => writer.member('m', value, []), NOT_PLAIN as unknown as Error, String(value))
  }
  let deep: unknown = 1
  for (let i = 0; i < 70; i++) deep = [deep]
  t.throws(() => writer.member('m', deep, []), NOT_PLAIN as unknown as Error, '70 levels deep')
})

t.test('pointers are escaped, arrays indexed, in document order', async t => {
  const redactions: string[] = []
  const text = new CanonicalScrubber(scrubbers[0]!.rules).member('metadata', { 'a/b': { password: 'x' }, list: ['ok', 'Bearer abc123def456ghi'], 'c~d': { token: 't' } }, redactions)
  t.same(redactions, ['/metadata/a~1b/password', '/metadata/list/1', '/metadata/c~0d/token'])
  t.equal(text, '"metadata":{"a/b":{"password":"[REDACTED]"},"c~d":{"token":"[REDACTED]"},"list":["ok","[REDACTED]"]}')
})
