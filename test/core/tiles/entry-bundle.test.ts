import fc from 'fast-check'
import t from 'tap'
import { decodeEntryBundle, encodeEntryBundle, MAX_ENTRY_BYTES } from '../../../src/core/tiles/index.js'

t.test('each entry is a big-endian uint16 length and its bytes', async t => {
  t.same(encodeEntryBundle([Buffer.from('ab'), Buffer.alloc(0), Buffer.from([0xff])]), Buffer.from([0, 2, 0x61, 0x62, 0, 0, 0, 1, 0xff]))
  t.same(encodeEntryBundle([]), Buffer.alloc(0))
  const big = Buffer.alloc(MAX_ENTRY_BYTES, 7)
  t.same(encodeEntryBundle([big]).subarray(0, 2), Buffer.from([0xff, 0xff]), '65,535 bytes fit')
  t.throws(() => encodeEntryBundle([Buffer.from('x'), Buffer.alloc(MAX_ENTRY_BYTES + 1)]), /entry 1 is 65536 bytes, over the 65535/)
})

t.test('decoding gives back the entries', async t => {
  fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 40 }), entries => {
    const decoded = decodeEntryBundle(encodeEntryBundle(entries))
    return decoded.length === entries.length && decoded.every((d, i) => Buffer.compare(d, Buffer.from(entries[i]!)) === 0)
  }))
  t.throws(() => decodeEntryBundle(Buffer.from([0])), /inside a length/)
  t.throws(() => decodeEntryBundle(Buffer.from([0, 3, 1, 2])), /past the end/)
})
