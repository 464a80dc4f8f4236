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
  // A request's events are mostly one tenant's; an admin's batch may name several.
  const oneTenant = fc.tuple(fc.constantFrom('default', 'acme'), fc.array(result, { maxLength: 40 })).map(([tenant, rs]) => rs.map(r => ({ ...r, tenant })))
  const batches = fc.oneof(oneTenant, fc.array(result, { maxLength: 40 }))
  fc.assert(fc.property(batches, results => {
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

t.test('an admin\'s batch of several tenants: each receipt is signed under its own tenant\'s key name only', async t => {
  const results = ['acme', 'default', 'acme', 'beta', 'default'].map((tenant, i) => ({
    id: `0193a000-0000-7000-8000-00000000000${i}`, tenant, received_at: new Date(0).toISOString(), record_sha256: Buffer.alloc(32, i).toString('base64'), duplicate: false
  }))
  const items = JSON.parse(signer.acceptedBatchJson(results)).items as Array<{ receipt: string }>
  items.forEach((item, i) => {
    const tenant = results[i]!.tenant
    const names = [...item.receipt.matchAll(/^\u2014 (\S+) /gm)].map(m => m[1])
    t.same(names, [`audit-service.local/${tenant}`], `item ${i}: signed for ${tenant} only`)
    t.match(item.receipt, new RegExp(`^audit-service receipt v2\naudit-service.local/${tenant}\n`))
  })
  t.match(items[2]!.receipt, /\n1 2\n/, 'acme\'s second event is leaf 1 of acme\'s batch of 2')
  t.same(signer.acceptedBatch(results).map(a => a.receipt), items.map(i => i.receipt))
})
