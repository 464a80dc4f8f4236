import { generateKeyPairSync } from 'node:crypto'
import fc from 'fast-check'
import t from 'tap'
import { acceptedAnswer, acceptedJson, ReceiptSigner } from '../../src/proofs/receipt-signer.js'

// The batch answer is written as JSON text from pieces escaped once; held here to its plain
// form, JSON.stringify of the answer objects (Ed25519 signs deterministically, so the two
// carry the same signature).
const { privateKey } = generateKeyPairSync('ed25519')
const signer = new ReceiptSigner({ signersFor: tenant => [{ name: `audit-service.local/${tenant}`, privateKey }] }, 'audit-service.local')

const result = fc.record({
  id: fc.uuid(),
  tenant: fc.constantFrom('default', 'acme', 'tenant-with-dash'),
  received_at: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map(d => d.toISOString()),
  record_sha256: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }).map(b => Buffer.from(b).toString('base64')), { nil: undefined, freq: 5 }),
  duplicate: fc.boolean()
}).map(r => {
  const { record_sha256: sha, ...rest } = r
  return sha === undefined ? rest : { ...rest, record_sha256: sha }
})

t.test('property: the written batch answer is JSON.stringify of the answer objects (500 batches)', async t => {
  // A request's events are one tenant's.
  const oneTenant = fc.tuple(fc.constantFrom('default', 'acme'), fc.array(result, { maxLength: 40 })).map(([tenant, rs]) => rs.map(r => ({ ...r, tenant })))
  fc.assert(fc.property(oneTenant, results => {
    const text = signer.acceptedBatchJson(results)
    const plain = { accepted: results.length, items: signer.acceptedBatch(results).map(a => ({ ...a, status: 'accepted' })) }
    t.same(JSON.parse(text), plain)
    t.ok(/^[\x20-\x7e]*$/.test(text), 'one byte per character')
    return true
  }), { numRuns: 500 })
})

t.test('property: the written single answer is JSON.stringify of the answer object (500 events)', async t => {
  fc.assert(fc.property(result, fc.option(fc.string({ unit: 'grapheme', maxLength: 300 }), { nil: undefined }), (r, receipt) => {
    const text = acceptedJson(r, receipt)
    t.same(JSON.parse(text), { ...acceptedAnswer(r, receipt), status: 'accepted' })
    t.ok(/^[\x20-\x7e]*$/.test(text), 'one byte per character')
    return true
  }), { numRuns: 500 })
})
