import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { formatVerifierKey, parseVerifierKey, publicKeyBytes } from '../../src/core/note/index.js'
import { openReceipt } from '../../src/proofs/receipt.js'
import { ReceiptBatcher } from '../../src/proofs/receipt-batcher.js'
import { ReceiptSigner, type ReceiptSubject } from '../../src/proofs/receipt-signer.js'

const subject = (i: number): Required<ReceiptSubject> => ({
  id: `0193a1b2-0000-7000-8000-${String(i).padStart(12, '0')}`,
  tenant: 'default',
  received_at: '2026-11-26T12:00:00.123Z',
  record_sha256: Buffer.alloc(32, i).toString('base64')
})

/** A signer that records the batches it is asked to sign (a leaf is the subject's id here). */
function recording () {
  const batches: string[][] = []
  return {
    batches,
    leafText: (s: Required<ReceiptSubject>) => s.id,
    signLeaves: (_tenant: string, leaves: readonly string[]) => { batches.push([...leaves]); return leaves.map(id => `receipt of ${id}`) }
  }
}

t.test('requests resolved together (even after different numbers of promise hops) share one signBatch', async t => {
  const signer = recording()
  const batcher = new ReceiptBatcher(signer)
  // As the producer does at a flush: resolve every request's promise in one loop. Each handler
  // then takes a different number of awaits before it asks for its receipt.
  const resolvers: Array<() => void> = []
  const handlers = Array.from({ length: 20 }, async (_, i) => {
    await new Promise<void>(resolve => resolvers.push(resolve))
    for (let hop = 0; hop < i; hop++) await Promise.resolve()
    return await batcher.sign(subject(i))
  })
  for (const resolve of resolvers) resolve()
  const receipts = await Promise.all(handlers)
  t.same(receipts, Array.from({ length: 20 }, (_, i) => `receipt of ${subject(i).id}`), 'each gets its own receipt, in order')
  t.equal(signer.batches.length, 1, 'one signature for all 20')
  t.equal(signer.batches[0]!.length, 20)

  // A later turn is a new batch.
  t.equal(await batcher.sign(subject(99)), `receipt of ${subject(99).id}`)
  t.equal(signer.batches.length, 2)
})

t.test('a burst larger than the bound is split; an error rejects every receipt of its batch', async t => {
  const signer = recording()
  const batcher = new ReceiptBatcher(signer, 3)
  const receipts = await Promise.all(Array.from({ length: 7 }, (_, i) => batcher.sign(subject(i))))
  t.equal(receipts.length, 7)
  t.same(signer.batches.map(b => b.length), [3, 3, 1])

  let calls = 0
  const failing = new ReceiptBatcher({ leafText: s => s.id, signLeaves: () => { calls++; throw new Error('key unusable') } })
  const results = await Promise.allSettled([failing.sign(subject(1)), failing.sign(subject(2)), failing.sign(subject(3))])
  t.equal(calls, 1)
  t.same(results.map(r => r.status), ['rejected', 'rejected', 'rejected'])
  t.match((results[0] as PromiseRejectedResult).reason, /key unusable/)
  t.throws(() => new ReceiptBatcher(signer, 0), RangeError)
})

t.test('a subject that cannot be in a receipt fails alone; the others of its turn are signed', async t => {
  const { privateKey } = generateKeyPairSync('ed25519')
  const signer = new ReceiptSigner({ signersFor: tenant => [{ name: `audit-service.local/${tenant}`, privateKey }] }, 'audit-service.local')
  const batcher = new ReceiptBatcher(signer)
  const results = await Promise.allSettled([
    batcher.sign(subject(1)),
    batcher.sign({ ...subject(2), id: 'has a space' }),
    batcher.sign(subject(3))
  ])
  t.same(results.map(r => r.status), ['fulfilled', 'rejected', 'fulfilled'])
  t.match((results[1] as PromiseRejectedResult).reason, { name: 'ReceiptFormatError' })
  t.match((results[2] as PromiseFulfilledResult<string>).value, /\n1 2\n/, 'a batch of the two good ones')
})

t.test('with the real signer: receipts verify and carry one signed note', async t => {
  const { privateKey } = generateKeyPairSync('ed25519')
  const publicKey = publicKeyBytes(privateKey)
  const verifier = parseVerifierKey(formatVerifierKey('audit-service.local/default', publicKey))
  const batcher = new ReceiptBatcher(new ReceiptSigner({ signersFor: tenant => [{ name: `audit-service.local/${tenant}`, privateKey }] }, 'audit-service.local'))
  const receipts = await Promise.all([0, 1, 2, 3, 4].map(i => batcher.sign(subject(i))))
  receipts.forEach((r, i) => t.equal(openReceipt(r, [verifier]).id, subject(i).id))
  t.equal(new Set(receipts.map(r => r.slice(r.indexOf('\n\n') + 2))).size, 1, 'the same note (one signature)')
  t.match(receipts[4], /\n4 5\n/)
})

t.test('tenants never share a batch: each tenant\'s receipts are signed under its own key name', async t => {
  const { privateKey } = generateKeyPairSync('ed25519')
  const publicKey = publicKeyBytes(privateKey)
  const verifierOf = (tenant: string) => parseVerifierKey(formatVerifierKey(`audit-service.local/${tenant}`, publicKey))
  const batcher = new ReceiptBatcher(new ReceiptSigner({ signersFor: tenant => [{ name: `audit-service.local/${tenant}`, privateKey }] }, 'audit-service.local'))
  const [a, b] = await Promise.all([batcher.sign({ ...subject(1), tenant: 'alpha' }), batcher.sign({ ...subject(2), tenant: 'beta' })])
  t.equal(openReceipt(a!, [verifierOf('alpha')]).origin, 'audit-service.local/alpha')
  t.equal(openReceipt(b!, [verifierOf('beta')]).origin, 'audit-service.local/beta')
  t.throws(() => openReceipt(a!, [verifierOf('beta')]), /no valid signature/, 'beta\'s key does not open alpha\'s receipt')
  t.notMatch(a, /beta/, 'alpha\'s receipt does not name beta')
  t.match(a, /\n0 1\n/, 'a batch of one')
})
