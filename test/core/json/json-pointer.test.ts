import t from 'tap'
import { escapePointerToken, joinPointer } from '../../../src/core/json/index.js'
import { parsePointer } from '../helpers/parse-pointer.js'

t.test('escapePointerToken escapes ~ before /', async (t) => {
  t.equal(escapePointerToken('plain'), 'plain')
  t.equal(escapePointerToken('a/b'), 'a~1b')
  t.equal(escapePointerToken('m~n'), 'm~0n')
  t.equal(escapePointerToken('~1'), '~01')
  t.equal(escapePointerToken('/~/'), '~1~0~1')
  t.equal(escapePointerToken(''), '')
})

t.test('joinPointer builds RFC 6901 pointers', async (t) => {
  t.equal(joinPointer([]), '')
  t.equal(joinPointer(['']), '/')
  t.equal(joinPointer(['metadata', 'list', 2]), '/metadata/list/2')
  t.equal(joinPointer(['a/b', 'c~d', 0]), '/a~1b/c~0d/0')
  t.throws(() => joinPointer([-1]), RangeError)
  t.throws(() => joinPointer([1.5]), RangeError)
})

t.test('parsePointer follows the RFC 6901 examples', async (t) => {
  t.same(parsePointer(''), [])
  t.same(parsePointer('/'), [''])
  t.same(parsePointer('/foo/0'), ['foo', '0'])
  t.same(parsePointer('/a~1b'), ['a/b'])
  t.same(parsePointer('/m~0n'), ['m~n'])
  t.same(parsePointer('/~01'), ['~1'])
  t.same(parsePointer('/ '), [' '])
})

t.test('parsePointer rejects malformed pointers', async (t) => {
  t.throws(() => parsePointer('foo'), SyntaxError)
  t.throws(() => parsePointer('/~'), SyntaxError)
  t.throws(() => parsePointer('/a~2'), SyntaxError)
})

t.test('join and parse round-trip', async (t) => {
  const tokens = ['', 'a/b', 'c~d', '~0', '~1/', '__proto__', 'ü😀']
  t.same(parsePointer(joinPointer(tokens)), tokens)
})
