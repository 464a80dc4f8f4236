import fc from 'fast-check'
import t from 'tap'
import { canonicalAt, recordAt, type PendingRecord } from '../../../src/core/chain/index.js'
import { canonicalBytes, canonicalMembers } from '../../../src/core/json/index.js'
import { assembleRecord } from '../../../src/ingest/assemble-record.js'

// The worker splices `"seq":N` into the API's canonical text instead of serializing the record
// again; held here to the plain form, canonicalBytes(recordAt(record, seq)).

const pending = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 })
  .map(members => ({ ...members, tenant: 'acme', id: 'x' }) as unknown as PendingRecord)

t.test('property: the spliced text is the record at seq in canonical form (3,000 records)', async t => {
  fc.assert(fc.property(pending, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (record, seq) => {
    const { text, seqAt } = assembleRecord(canonicalMembers(record))
    const plain = canonicalBytes(recordAt(record, seq))
    return canonicalAt({ record, digest: '', canonical: text, seqAt }, seq, 'acme').equals(plain) &&
      canonicalAt({ record, digest: '' }, seq, 'acme').equals(plain)
  }), { numRuns: 3_000 })
  t.pass('no counterexample')
})

t.test('property: a wrong seqAt or another tenant falls back to the plain form, never a wrong text', async t => {
  fc.assert(fc.property(pending, fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: -2, max: 400 }), (record, seq, at) => {
    const { text } = assembleRecord(canonicalMembers(record))
    const plain = canonicalBytes(recordAt(record, seq))
    return canonicalAt({ record, digest: '', canonical: text, seqAt: at }, seq, 'acme').equals(plain)
  }), { numRuns: 3_000 })
  const record = { v: 1, id: 'x', tenant: 'acme', received_at: 't', redactions: [] } as PendingRecord
  const { text, seqAt } = assembleRecord(canonicalMembers(record))
  // The text says tenant acme; asked for globex, the splice is not proven and the record decides.
  t.same(JSON.parse(canonicalAt({ record, digest: '', canonical: text, seqAt }, 3, 'globex').toString()), { ...record, seq: 3 })
})
