import t from 'tap'
import { findIJsonViolation } from '../../../src/core/json/index.js'

/** `levels` arrays nested inside each other, built without recursion. */
function nestedArrays (levels: number): unknown {
  let value: unknown = 'leaf'
  for (let i = 0; i < levels; i++) value = [value]
  return value
}

t.test('accepts ordinary JSON, including NUL and astral characters', async (t) => {
  const doc = JSON.parse(
    '{"a":[1,-2.5,true,false,null,"\\u0000","😀",{"b":{}}],"n":9007199254740991,"m":-9007199254740991,"ü":"ß"}'
  )
  t.equal(findIJsonViolation(doc), undefined)
  t.equal(findIJsonViolation('text'), undefined)
  t.equal(findIJsonViolation(null), undefined)
  t.equal(findIJsonViolation(0.1), undefined)
})

t.test('rejects lone surrogates in values and keys', async (t) => {
  t.same(findIJsonViolation({ a: ['ok', 'x\uD800y'] }), {
    pointer: '/a/1',
    reason: 'string contains a lone surrogate (not valid Unicode)',
  })
  t.same(findIJsonViolation(JSON.parse('{"a":"\\uDC00"}')), {
    pointer: '/a',
    reason: 'string contains a lone surrogate (not valid Unicode)',
  })
  // A reversed pair is two lone surrogates.
  t.equal(findIJsonViolation('\uDE00\uD83D')?.pointer, '')
  t.same(findIJsonViolation({ outer: { 'bad\uDFFF/key': 1 } }), {
    pointer: '/outer/bad\uDFFF~1key',
    reason: 'object key contains a lone surrogate (not valid Unicode)',
  })
})

t.test('the fallback surrogate check agrees with isWellFormed', async (t) => {
  const descriptor = Object.getOwnPropertyDescriptor(String.prototype, 'isWellFormed')
  t.ok(descriptor, 'the runtime has a native isWellFormed to remove')
  delete (String.prototype as { isWellFormed?: unknown }).isWellFormed
  t.teardown(() => {
    // eslint-disable-next-line no-extend-native -- puts back the native method the test removed
    if (descriptor) Object.defineProperty(String.prototype, 'isWellFormed', descriptor)
  })
  t.equal(typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed, 'undefined')
  t.equal(findIJsonViolation(['😀', 'ok', '\u0000']), undefined)
  t.equal(findIJsonViolation(['😀', 'a\uD83D'])?.pointer, '/1')
  t.equal(findIJsonViolation({ k: '\uDE00x' })?.pointer, '/k')
  t.equal(findIJsonViolation('\uDE00\uD83D')?.pointer, '')
  t.equal(findIJsonViolation({ '\uD800': 1 })?.reason, 'object key contains a lone surrogate (not valid Unicode)')
})

t.test('rejects non-finite numbers and unsafe integers', async (t) => {
  t.same(findIJsonViolation({ x: [Number.NaN] }), {
    pointer: '/x/0',
    reason: 'number is not finite (NaN or Infinity are not JSON)',
  })
  t.equal(findIJsonViolation(Number.POSITIVE_INFINITY)?.pointer, '')
  const unsafe = 'integer outside ±(2^53-1) (I-JSON)'
  t.same(findIJsonViolation({ n: 2 ** 53 }), { pointer: '/n', reason: unsafe })
  t.same(findIJsonViolation({ n: -(2 ** 53) }), { pointer: '/n', reason: unsafe })
  // JSON.parse rounds 2^53+1 to 2^53, which is still outside the safe range.
  t.same(findIJsonViolation(JSON.parse('{"id":9007199254740993}')), { pointer: '/id', reason: unsafe })
  t.equal(findIJsonViolation(1e300)?.reason, unsafe)
  t.equal(findIJsonViolation(Number.MAX_SAFE_INTEGER), undefined)
  t.equal(findIJsonViolation(1.5e-300), undefined)
})

t.test('rejects values JSON cannot carry', async (t) => {
  t.equal(findIJsonViolation({ a: undefined })?.reason, 'value of type undefined is not JSON')
  t.equal(findIJsonViolation([1n])?.pointer, '/0')
  t.equal(findIJsonViolation({ f: () => 1 })?.reason, 'value of type function is not JSON')
})

t.test('limits nesting depth; the root container is depth 1', async (t) => {
  t.equal(findIJsonViolation(nestedArrays(32)), undefined)
  t.same(findIJsonViolation(nestedArrays(33)), {
    pointer: '/0'.repeat(32),
    reason: 'nesting deeper than 32 levels',
  })
  t.same(findIJsonViolation({ a: { b: { c: {} } } }, { maxDepth: 3 }), {
    pointer: '/a/b/c',
    reason: 'nesting deeper than 3 levels',
  })
  t.equal(findIJsonViolation({ a: { b: { c: 'deep scalars do not add depth' } } }, { maxDepth: 3 }), undefined)
})

t.test('reports a 100,000-level depth bomb without overflowing the stack', async (t) => {
  const violation = findIJsonViolation(nestedArrays(100_000))
  t.equal(violation?.reason, 'nesting deeper than 32 levels')
  t.equal(violation?.pointer, '/0'.repeat(32))
})

t.test('limits keys per object', async (t) => {
  const wide = (n: number): Record<string, number> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))
  t.equal(findIJsonViolation(wide(1000)), undefined)
  t.same(findIJsonViolation({ list: [wide(1001)] }), { pointer: '/list/0', reason: 'object has more than 1000 keys' })
  t.same(findIJsonViolation(wide(3), { maxKeys: 2 }), { pointer: '', reason: 'object has more than 2 keys' })
  // Arrays are not limited by maxKeys.
  t.equal(findIJsonViolation(new Array(5000).fill(0)), undefined)
})

t.test('limits the total number of values', async (t) => {
  t.equal(findIJsonViolation([1, 2, 3], { maxTotalNodes: 4 }), undefined)
  t.same(findIJsonViolation([1, [2, 3]], { maxTotalNodes: 4 }), { pointer: '/1/1', reason: 'more than 4 values in total' })
})

t.test('reports the first violation in document order', async (t) => {
  const doc = { a: [1, { b: 'x\uD800' }], c: Number.NaN, d: 2 ** 60 }
  t.equal(findIJsonViolation(doc)?.pointer, '/a/1/b')
})
