import fc from 'fast-check'
import t from 'tap'
import { canonicalJson, canonicalMember, canonicalMembers, joinCanonicalMembers } from '../../../src/core/json/index.js'

t.test('joining canonical members gives canonicalJson of the object', async t => {
  const object = { b: [1e21, -0], a: { z: 1, y: '\u00e9' }, é: null, A: true, skipped: undefined }
  t.equal(joinCanonicalMembers(canonicalMembers(object)), canonicalJson(object))
  t.equal(joinCanonicalMembers(new Map()), '{}')
})

t.test('for any JSON object, members joined equal the whole canonicalized (10,000 objects)', async t => {
  fc.assert(fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 3 })), object => {
    let whole: string
    try {
      whole = canonicalJson(object)
    } catch {
      // No canonical form (a lone surrogate): the members must refuse it too.
      return throwsCanonical(() => joinCanonicalMembers(canonicalMembers(object)))
    }
    return joinCanonicalMembers(canonicalMembers(object)) === whole
  }), { numRuns: 10_000 })
  t.pass('no counterexample')
})

t.test('a member replaced after the fact is what the join uses', async t => {
  const members = canonicalMembers({ a: 1, c: 3 })
  members.set('b', canonicalMember('b', [2]))
  members.set('a', canonicalMember('a', 'one'))
  t.equal(joinCanonicalMembers(members), canonicalJson({ a: 'one', b: [2], c: 3 }))
})

function throwsCanonical (fn: () => unknown): boolean {
  try {
    fn()
    return false
  } catch (err) {
    return (err as { code?: string }).code === 'AUDIT_ERR_CANONICAL'
  }
}
