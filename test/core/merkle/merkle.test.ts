import { createHash } from 'node:crypto'
import t from 'tap'
import {
  CompactRange,
  EMPTY_ROOT,
  frontierNodes,
  leafHash,
  nodeHash,
  nodeLocation,
  rangeNodes,
  rootFromNodes,
} from '../../../src/core/merkle/index.js'
import { MemoryTree, leafData, naiveRoot } from '../helpers/memory-tree.js'

const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest()

t.test('RFC 6962 hashing primitives', async (t) => {
  t.equal(EMPTY_ROOT.toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
  t.ok(leafHash(Buffer.from('x')).equals(sha(Buffer.from([0]), Buffer.from('x'))))
  const l = Buffer.alloc(32, 1)
  const r = Buffer.alloc(32, 2)
  t.ok(nodeHash(l, r).equals(sha(Buffer.from([1]), l, r)))
  // Known RFC 6962 root of the empty leaf, from the transparency-dev vectors.
  t.equal(leafHash(Buffer.alloc(0)).toString('base64'), 'bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=')
})

t.test('frontierNodes follows the binary decomposition of the size', async (t) => {
  t.same(frontierNodes(0), [])
  t.same(frontierNodes(1), [{ level: 0, index: 0 }])
  t.same(frontierNodes(6), [{ level: 2, index: 0 }, { level: 1, index: 2 }])
  t.same(frontierNodes(7), [{ level: 2, index: 0 }, { level: 1, index: 2 }, { level: 0, index: 6 }])
  t.same(frontierNodes(2 ** 40 + 1), [{ level: 40, index: 0 }, { level: 0, index: 2 ** 40 }], 'beyond 32 bits')
  t.same(rangeNodes(4, 7), [{ level: 1, index: 2 }, { level: 0, index: 6 }])
  t.same(rangeNodes(1, 4), [{ level: 0, index: 1 }, { level: 1, index: 1 }], 'unaligned start')
  t.throws(() => frontierNodes(-1), RangeError)
})

t.test('nodeLocation implements the storage contract', async (t) => {
  t.same(nodeLocation(0, 0), { seq: 1, offset: 0 })
  t.same(nodeLocation(0, 9), { seq: 10, offset: 0 })
  t.same(nodeLocation(1, 0), { seq: 2, offset: 1 })
  t.same(nodeLocation(2, 1), { seq: 8, offset: 2 })
  t.same(nodeLocation(3, 2), { seq: 24, offset: 3 })
  t.throws(() => nodeLocation(1, -1), RangeError)
  t.throws(() => nodeLocation(0.5, 1), RangeError)
})

t.test('CompactRange append returns completed subtrees and tracks the root', async (t) => {
  const tree = new MemoryTree()
  t.ok(tree.range.root().equals(EMPTY_ROOT))
  for (let i = 0; i < 70; i++) {
    const leaf = leafHash(leafData(i))
    const before = tree.range.clone()
    tree.append(leafData(i))
    const completed = tree.rows.get(i + 1) as Buffer[]
    let ones = 0
    for (let n = i; n % 2 === 1; n = (n - 1) / 2) ones++
    t.equal(completed.length, 1 + ones, `leaf ${i} completes ${1 + ones} subtrees`)
    t.ok(completed[0]?.equals(leaf), 'first entry is the leaf hash')
    // The top completed subtree of level L covers the last 2^L leaves.
    const L = completed.length - 1
    t.ok(completed[L]?.equals(naiveRoot(tree.leaves.slice(i + 1 - 2 ** L))), 'top entry is the subtree root')
    t.equal(before.size, i, 'clone is independent')
    t.equal(tree.range.size, i + 1)
    t.equal(tree.range.hashes.length, frontierNodes(i + 1).length)
    t.ok(tree.range.root().equals(naiveRoot(tree.leaves)), `root of size ${i + 1}`)
  }
})

t.test('CompactRange serialization and validation', async (t) => {
  const tree = new MemoryTree()
  for (let i = 0; i < 13; i++) tree.append(leafData(i))
  const range = tree.range
  const copy = CompactRange.fromBuffer(13, range.toBuffer())
  t.ok(copy.root().equals(range.root()))
  const fromHashes = CompactRange.fromHashes(13, range.hashes)
  t.ok(fromHashes.root().equals(rootFromNodes(range.hashes)))
  fromHashes.append(leafHash(leafData(13)))
  copy.append(leafHash(leafData(13)))
  t.ok(fromHashes.root().equals(copy.root()), 'restored ranges keep appending identically')
  t.equal(range.size, 13, 'original untouched')
  t.equal(CompactRange.fromBuffer(0, Buffer.alloc(0)).size, 0)
  t.throws(() => CompactRange.fromHashes(13, range.hashes.slice(1)), RangeError)
  t.throws(() => CompactRange.fromBuffer(13, Buffer.alloc(64)), RangeError)
  t.throws(() => CompactRange.fromHashes(1, [Buffer.alloc(31)]), RangeError)
  t.throws(() => CompactRange.empty().append(Buffer.alloc(33)), RangeError)
})
