import fc from 'fast-check'
import t from 'tap'
import { joinPointer } from '../../src/core/json/index.js'
import { findJsonTextProblem } from '../../src/http/find-json-text-problem.js'

// The raw-text scanner of the JSON body parser: duplicate keys, prototype keys, depth bombs
// and numbers that underflow, found before (or instead of) JSON.parse.

const deep = { maxDepth: 1_000_000 }
const find = (text: string, maxDepth = 32) => findJsonTextProblem(text, { maxDepth })

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** The first `__proto__` key or `constructor.prototype` member in document order, as a pointer. */
function firstPrototypeKey (value: Json, tokens: (string | number)[] = [], underConstructor = false): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = firstPrototypeKey(value[i]!, [...tokens, i])
      if (found !== undefined) return found
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (key === '__proto__' || (key === 'prototype' && underConstructor)) return joinPointer([...tokens, key])
      const child = value[key]!
      const found = firstPrototypeKey(child, [...tokens, key], key === 'constructor')
      if (found !== undefined) return found
    }
  }
  return undefined
}

/** Every key of `key`, written as \uXXXX escapes: the same key to a parser, other bytes. */
const escapeAll = (key: string) => Array.from({ length: key.length }, (_, i) => `\\u${key.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')

/**
 * JSON.stringify, except that the object at `target` (a path) gets its member `key` written
 * a second time, at the end, with every character escaped.
 */
function stringifyWithDuplicate (value: Json, target: (string | number)[], key: string, path: (string | number)[] = []): string {
  if (Array.isArray(value)) return `[${value.map((item, i) => stringifyWithDuplicate(item, target, key, [...path, i])).join(',')}]`
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  const members = Object.keys(value).map(k => `${JSON.stringify(k)}:${stringifyWithDuplicate(value[k]!, target, key, [...path, k])}`)
  if (path.length === target.length && path.every((token, i) => token === target[i])) members.push(`"${escapeAll(key)}":${JSON.stringify(value[key])}`)
  return `{${members.join(',')}}`
}

/** Paths of every object with at least one key. */
function objectPaths (value: Json, path: (string | number)[] = [], out: Array<(string | number)[]> = []) {
  if (Array.isArray(value)) value.forEach((item, i) => objectPaths(item, [...path, i], out))
  else if (value !== null && typeof value === 'object') {
    if (Object.keys(value).length > 0) out.push(path)
    for (const key of Object.keys(value)) objectPaths(value[key]!, [...path, key], out)
  }
  return out
}

const at = (value: Json, path: (string | number)[]): Json => path.reduce<Json>((v, token) => (v as Record<string, Json>)[token as string]!, value)

// Keys that stress the scanner: escapes, quotes, backslashes, structure characters, astral.
const trickyKey = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('', ' ', '"', '\\', '\\"', '{', '}', '[', ']', ',', ':', 'a/b', '~', '~1', '😀', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty')
)
const jsonValue: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>(tie => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ unit: 'binary' }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(trickyKey, tie('value'), { maxKeys: 5 }))
})).value

t.test('well-formed JSON without repeated or prototype keys passes, whatever its content', async t => {
  fc.assert(fc.property(jsonValue, fc.boolean(), (value, pretty) => {
    const text = JSON.stringify(value, null, pretty ? 2 : undefined)
    const expected = firstPrototypeKey(value)
    const problem = findJsonTextProblem(text, deep)
    if (expected === undefined) return problem === undefined
    return problem?.kind === 'prototype-key' && problem.pointer === expected
  }), { numRuns: 2000 })
})

t.test('a key written twice in any object is found, with the pointer of its second occurrence', async t => {
  const withTarget = jsonValue
    .filter(v => firstPrototypeKey(v) === undefined && objectPaths(v).length > 0)
    .chain(v => fc.constantFrom(...objectPaths(v)).chain(path => fc.constantFrom(...Object.keys(at(v, path) as object)).map(key => ({ value: v, path, key }))))
  fc.assert(fc.property(withTarget, ({ value, path, key }) => {
    const text = stringifyWithDuplicate(value, path, key)
    t.same(JSON.parse(text), value, 'the duplicate carries the same value, so only the scanner can tell')
    const problem = findJsonTextProblem(text, deep)
    return problem?.kind === 'duplicate-key' && problem.pointer === joinPointer([...path, key]) && problem.reason.includes('duplicate key')
  }), { numRuns: 1000 })
})

t.test('duplicate keys: decoded before comparison, reported with where they are', async t => {
  t.match(find('{"a":1,"a":2}'), { kind: 'duplicate-key', pointer: '/a', reason: 'duplicate key "a" in the top-level object (keys must be unique)' })
  t.match(find('{"a":1,"\\u0061":2}'), { kind: 'duplicate-key', pointer: '/a' })
  t.match(find('{"m":{"x":[{"k":1,"j":{},"k":{}}]}}'), { kind: 'duplicate-key', pointer: '/m/x/0/k', reason: 'duplicate key "k" in the object at /m/x/0 (keys must be unique)' })
  t.match(find('{"a\\\\":1,"a\\\\":2}'), { kind: 'duplicate-key', pointer: '/a\\' }, 'an escaped backslash before the closing quote')
  t.match(find('{"a/b":1,"a~1b":2,"a/b":3}'), { kind: 'duplicate-key', pointer: '/a~1b' })
  t.equal(find('{"a":1,"A":2,"a ":3}'), undefined, 'keys differ by case or space')
  t.equal(find('{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}'), undefined, 'the same key in different objects')
  t.equal(find('{"a":"{\\"a\\":1,\\"a\\":2}"}'), undefined, 'JSON inside a string is data')
  t.equal(find('["a","a",{"a":"a"}]'), undefined, 'repeated strings in arrays are values')
  const long = 'k'.repeat(10_000)
  const problem = find(`{"${long}":1,"${long}":2}`)
  t.ok(problem !== undefined && problem.reason.length < 200, 'a long key is shortened in the reason')
  t.equal(problem?.pointer, `/${long}`)
})

t.test('prototype keys, escaped or not, at any depth', async t => {
  t.match(find('{"__proto__":{"polluted":1}}'), { kind: 'prototype-key', pointer: '/__proto__' })
  t.match(find('{"a":[{"\\u005f_proto__":1}]}'), { kind: 'prototype-key', pointer: '/a/0/__proto__' })
  t.match(find('{"m":{"constructor":{"prototype":{"x":1}}}}'), { kind: 'prototype-key', pointer: '/m/constructor/prototype' })
  t.equal(find('{"constructor":"c","prototype":"p","m":{"prototype":{"constructor":1}}}'), undefined, '`constructor` and `prototype` as plain data')
  t.equal(find('{"constructor":[{"prototype":1}]}'), undefined, 'only an object directly under `constructor` counts')
})

t.test('nesting deeper than the limit is found at the container that goes too deep', async t => {
  t.equal(find('[[[1]]]', 3), undefined)
  t.match(find('[[[[1]]]]', 3), { kind: 'depth', pointer: '/0/0/0', reason: 'nesting deeper than 3 levels' })
  t.match(find('{"a":{"b":[{"c":1}]}}', 3), { kind: 'depth', pointer: '/a/b/0' })
  t.match(find('{"a":1,"a":2,"b":[[[[[[1]]]]]]}', 3), { kind: 'depth', pointer: '/b/0/0' }, 'a depth problem wins over an earlier one')
  t.match(find('['.repeat(5_000_000), 32), { kind: 'depth' }, 'an unclosed bomb needs no parse')
  t.equal(find(`${'['.repeat(32)}${']'.repeat(32)}`, 32), undefined)
})

t.test('an object with more members than allowed is found before the rest is read', async t => {
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')
  t.equal(findJsonTextProblem(`{"m":{${keys(10)}}}`, { maxDepth: 8, maxKeys: 10 }), undefined)
  t.match(findJsonTextProblem(`{"m":[{${keys(11)}}]}`, { maxDepth: 8, maxKeys: 10 }), { kind: 'too-many-keys', pointer: '/m/0', reason: 'object has more than 10 keys' })
  t.match(findJsonTextProblem(`{"a":1,"a":1,"m":{${keys(11)}`, { maxDepth: 8, maxKeys: 10 }), { kind: 'too-many-keys', pointer: '/m' }, 'wins over an earlier duplicate, like depth')
  t.match(findJsonTextProblem(`{${keys(100_001)}}`, { maxDepth: 8, maxKeys: 1000 }), { kind: 'too-many-keys', pointer: '' })
  t.equal(findJsonTextProblem(`[${Array.from({ length: 100 }, () => `{${keys(10)}}`).join(',')}]`, { maxDepth: 8, maxKeys: 10 }), undefined, 'counted per object')
})

t.test('numbers that a double cannot hold except as 0 are found; others are left alone', async t => {
  for (const text of ['1e-400', '-1E-400', '0.' + '0'.repeat(400) + '1', '2e-324', '123e-999']) {
    t.match(find(`{"n":[0,${text}]}`), { kind: 'number-underflow', pointer: '/n/1' }, text)
  }
  for (const text of ['0', '-0', '0.0', '0e-400', '-0.000e5', '5e-324', '2.5e-324', '1e-300', '1e400', '9007199254740993', '0.1']) {
    t.equal(find(`{"n":${text}}`), undefined, text)
  }
})

t.test('any text at all, and 5 MiB hostile shapes: no throw', async t => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), text => {
    findJsonTextProblem(text, { maxDepth: 4 })
  }), { numRuns: 3000 })
  fc.assert(fc.property(fc.array(fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', 'a', '1', 'e', '-', ' '), { maxLength: 200 }), chars => {
    findJsonTextProblem(chars.join(''), { maxDepth: 4 })
  }), { numRuns: 3000 })

  const size = 5 * 1024 * 1024
  const shapes: Record<string, (n: number) => string> = {
    'escaped quotes': n => `{"a":"${'\\"'.repeat(n / 2)}"}`,
    backslashes: n => `{"a":"${'\\\\'.repeat(n / 2)}"}`,
    'unterminated string of escapes': n => `{"a":"${'\\"'.repeat(n / 2)}`,
    // Objects as wide as the body parser allows (1,000 keys), as many as fit.
    'distinct keys': n => `[${Array.from({ length: n / 12000 }, () => `{${Array.from({ length: 1000 }, (_, i) => `"k${i}":0`).join(',')}}`).join(',')}]`,
    'keys with escapes': n => `[${Array.from({ length: n / 16000 }, () => `{${Array.from({ length: 1000 }, (_, i) => `"\\u0061${i}":0`).join(',')}}`).join(',')}]`,
    'one object of 400,000 keys': n => `{${Array.from({ length: n / 12 }, (_, i) => `"k${i}":0`).join(',')}}`,
    'one long number': n => `[${'1'.repeat(n)}]`,
    numbers: n => `[${Array.from({ length: n / 8 }, () => '1.5e-30').join(',')}]`,
    'depth within the limit, repeated': n => `[${Array.from({ length: n / 64 }, () => '[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]').join(',')}]`
  }
  // Each hostile shape of 5 MiB is scanned to an answer without throwing (its speed is not
  // asserted here: the scanner is a single pass by construction, and timings belong in the bench).
  for (const [name, make] of Object.entries(shapes)) {
    t.doesNotThrow(() => findJsonTextProblem(make(size), { maxDepth: 32, maxKeys: 1000 }), name)
  }
})
