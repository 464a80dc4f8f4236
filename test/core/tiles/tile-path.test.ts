import fc from 'fast-check'
import t from 'tap'
import { formatTileIndexPath, formatTilePath, parseTileIndexPath, parseTilePath, tileNodes, tileTreeSize, TILE_WIDTH } from '../../../src/core/tiles/index.js'

/** The spec's encoding spelled out the slow way: digits by division, three per group. */
function slowIndexPath (index: number, width: number): string {
  const groups: string[] = []
  let n = index
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'))
    n = Math.floor(n / 1000)
  } while (n > 0)
  const path = groups.map((g, i) => (i < groups.length - 1 ? 'x' : '') + g).join('/')
  return width === 256 ? path : `${path}.p/${width}`
}

const index = fc.oneof(fc.nat({ max: 2000 }), fc.maxSafeNat())
const width = fc.oneof(fc.constant(256), fc.integer({ min: 1, max: 255 }))

t.test('the spec\'s examples', async t => {
  t.equal(formatTileIndexPath(1234067, 256), 'x001/x234/067')
  t.equal(formatTileIndexPath(0, 256), '000')
  t.equal(formatTileIndexPath(999, 256), '999')
  t.equal(formatTileIndexPath(1000, 256), 'x001/000')
  t.equal(formatTileIndexPath(3, 17), '003.p/17')
  t.equal(formatTilePath({ kind: 'hash', level: 1, index: 1234067, width: 256 }), 'tile/1/x001/x234/067')
  t.equal(formatTilePath({ kind: 'entries', index: 1234067, width: 8 }), 'tile/entries/x001/x234/067.p/8')
  t.same(parseTilePath('entries', 'x001/x234/067.p/8'), { kind: 'entries', index: 1234067, width: 8 })
  t.same(parseTilePath('2', '000'), { kind: 'hash', level: 2, index: 0, width: 256 })
})

t.test('formatting is the slow form, and parsing gives back index and width', async t => {
  fc.assert(fc.property(index, width, (n, w) => {
    const path = formatTileIndexPath(n, w)
    return path === slowIndexPath(n, w) && parseTileIndexPath(path)?.index === n && parseTileIndexPath(path)?.width === w
  }), { numRuns: 2000 })
})

t.test('a path parses only when it is the one canonical spelling', async t => {
  const part = fc.constantFrom('x', '/', '.', 'p', '0', '1', '2', '5', '9', '00', '000', 'x000', '.p/', '256', '255')
  fc.assert(fc.property(fc.array(part, { maxLength: 12 }).map(a => a.join('')), path => {
    const parsed = parseTileIndexPath(path)
    return parsed === undefined || formatTileIndexPath(parsed.index, parsed.width) === path
  }), { numRuns: 5000 })
})

t.test('non-canonical and malformed paths are refused', async t => {
  for (const path of ['', '0', '00', '0000', '1', '01', 'x001', 'x000/001', 'x001/x234', 'x001/234/', '/001', 'x1/001', 'x0001/000', '001/002',
    '000.p/0', '000.p/256', '000.p/300', '000.p/07', '000.p/', '000.p', '000.p/1/', '000.p/ 1', '000.P/1', '000.p/1.5', '-01',
    'x001/x002/x003/x004/x005/x006/x007/000', '001%2f']) {
    t.equal(parseTileIndexPath(path), undefined, JSON.stringify(path))
  }
  for (const level of ['', '00', '01', '64', '100', '-1', 'x', '1.0', 'entry', 'Entries']) t.equal(parseTilePath(level, '000'), undefined, `level ${JSON.stringify(level)}`)
  t.same(parseTilePath('63', '000'), { kind: 'hash', level: 63, index: 0, width: 256 })
  t.same(parseTileIndexPath('x001/x002/x003/x004/x005/x006/007')?.width, 256, 'seven groups still parse (an index past 2^53: out of range, not malformed)')
  t.throws(() => formatTileIndexPath(-1, 256), RangeError)
  t.throws(() => formatTileIndexPath(0, 0), RangeError)
  t.throws(() => formatTileIndexPath(0, 257), RangeError)
})

t.test('tile coordinates name tree nodes and the tree size that holds them', async t => {
  t.same(tileNodes({ kind: 'hash', level: 0, index: 2, width: 3 }), [{ level: 0, index: 512 }, { level: 0, index: 513 }, { level: 0, index: 514 }])
  t.same(tileNodes({ kind: 'hash', level: 1, index: 0, width: 2 }), [{ level: 8, index: 0 }, { level: 8, index: 1 }])
  t.same(tileNodes({ kind: 'entries', index: 1, width: 1 }), [{ level: 0, index: 256 }])
  t.equal(tileNodes({ kind: 'hash', level: 0, index: 0, width: TILE_WIDTH }).length, 256)
  t.equal(tileTreeSize({ kind: 'hash', level: 0, index: 0, width: 1 }), 1)
  t.equal(tileTreeSize({ kind: 'hash', level: 0, index: 0, width: 256 }), 256)
  t.equal(tileTreeSize({ kind: 'entries', index: 1, width: 1 }), 257)
  t.equal(tileTreeSize({ kind: 'hash', level: 1, index: 0, width: 1 }), 256)
  t.equal(tileTreeSize({ kind: 'hash', level: 1, index: 0, width: 256 }), 65_536)
  t.equal(tileTreeSize({ kind: 'hash', level: 2, index: 0, width: 1 }), 65_536)
  t.equal(tileTreeSize({ kind: 'hash', level: 7, index: 0, width: 256 }), Number.POSITIVE_INFINITY, 'past safe integers: no log is that large')
  t.equal(tileTreeSize({ kind: 'hash', level: 0, index: Number.MAX_SAFE_INTEGER, width: 256 }), Number.POSITIVE_INFINITY)
})
