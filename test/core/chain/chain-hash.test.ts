import { createHash } from 'node:crypto'
import t from 'tap'
import { GENESIS_HASH, chainHash, genesisHash } from '../../../src/core/chain/index.js'

t.test('genesis is 32 zero bytes and genesisHash() returns fresh copies', async (t) => {
  t.ok(GENESIS_HASH.equals(Buffer.alloc(32)))
  const a = genesisHash()
  a[0] = 1
  t.ok(genesisHash().equals(Buffer.alloc(32)), 'mutating a copy does not leak')
  t.ok(GENESIS_HASH.equals(Buffer.alloc(32)))
})

t.test('chainHash is SHA-256(prev || canonical)', async (t) => {
  const canonical = Buffer.from('{"a":1}')
  const want = createHash('sha256').update(Buffer.concat([Buffer.alloc(32), canonical])).digest()
  t.ok(chainHash(GENESIS_HASH, canonical).equals(want))
  t.equal(chainHash(GENESIS_HASH, new Uint8Array()).toString('hex'), createHash('sha256').update(Buffer.alloc(32)).digest('hex'))
  t.throws(() => chainHash(Buffer.alloc(31), canonical), RangeError)
})
