import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { formatCheckpoint, parseCheckpoint } from '../../src/core/checkpoint.js'
import { leafHash } from '../../src/core/merkle.js'
import { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion, type NodeReader } from '../../src/core/merkle-proofs.js'
import { formatVerifierKey, openNote, parseVerifierKey, publicKeyBytes, signNote } from '../../src/core/signed-note.js'
import { receiptRecordMismatch } from '../../src/proofs/check-receipt-record.js'
import { proofWithRoots } from '../../src/proofs/proof-with-roots.js'
import { formatReceipt, openReceipt, parseReceipt, RECEIPT_HEADER } from '../../src/proofs/receipt.js'
import { ReceiptSigner } from '../../src/proofs/receipt-signer.js'
import { recordSha256 } from '../../src/proofs/record-sha256.js'
import { formatTlogProof, parseTlogProof } from '../../src/proofs/tlog-proof.js'
import { verifyTlogProof } from '../../src/proofs/verify-tlog-proof.js'
import { witnessStep } from '../../src/proofs/witness-step.js'
import { canonicalBytes } from '../../src/core/canonical-json.js'
import { MemoryTree, leafData } from '../core/helpers/memory-tree.js'

function makeKey (name = 'audit-service') {
  const { privateKey } = generateKeyPairSync('ed25519')
  const publicKey = publicKeyBytes(privateKey)
  const verifierKey = formatVerifierKey(name, publicKey)
  return { name, privateKey, publicKey, verifierKey, verifier: parseVerifierKey(verifierKey) }
}

const key = makeKey()
const other = makeKey()
const pending = {
  occurred_at: '2026-11-26T12:00:00Z',
  action: 'user.login',
  actor: { type: 'user', id: 'u_1' },
  v: 1,
  id: '0193a1b2-0000-7000-8000-000000000001',
  tenant: 'default',
  received_at: '2026-11-26T12:00:00.123Z',
  redactions: [],
  request_id: 'req-1'
}

t.test('receipts: the exact signed bytes, one textual form, verifiable by any signed-note verifier', async t => {
  const sha = recordSha256(pending)
  const signer = new ReceiptSigner(key, 'audit-service.local')
  const note = signer.sign({ id: pending.id, tenant: 'default', received_at: pending.received_at, record_sha256: sha.toString('base64') })
  const text = `audit-service receipt v1\naudit-service.local/default\n${pending.id}\n${pending.received_at}\n${sha.toString('base64')}\n`
  t.equal(openNote(note, [key.verifier]).text, text, 'the signed text is exactly the five documented lines')
  t.equal(note, signNote(text, { name: key.name, privateKey: key.privateKey }), 'byte for byte what signNote makes')
  t.same(openReceipt(note, [key.verifier]), { origin: 'audit-service.local/default', id: pending.id, receivedAt: pending.received_at, recordSha256: sha })
  t.throws(() => openReceipt(note, [other.verifier]), /no valid signature/)

  // The digest: SHA-256 of the RFC 8785 bytes of the record without seq.
  const stored = { ...pending, seq: 42 }
  t.same(recordSha256(stored), recordSha256(pending), 'seq is left out')
  t.equal(receiptRecordMismatch(parseReceipt(text), stored), undefined)
  t.match(receiptRecordMismatch(parseReceipt(text), { ...stored, outcome: 'failure' }), /content differs/)
  t.match(receiptRecordMismatch(parseReceipt(text), { ...stored, received_at: '2026-11-26T12:00:01.000Z' }), /received_at/)
  t.match(receiptRecordMismatch(parseReceipt(text), { ...stored, id: '0193a1b2-0000-7000-8000-000000000002' }), /record id/)
  t.match(receiptRecordMismatch(parseReceipt(text), { ...stored, tenant: 'acme' }), /tenant/)

  // Strict parsing; and neither a checkpoint nor a receipt can be read as the other.
  t.throws(() => parseReceipt(text.replace('v1\n', 'v1 \n')), /first line/)
  t.throws(() => parseReceipt(text + 'more\n'), /exactly five lines/)
  t.throws(() => parseReceipt(text.replace(sha.toString('base64'), 'AAAA')), /32 bytes/)
  t.throws(() => parseReceipt(text.replace(pending.id, 'an id')), /printable ASCII/)
  t.throws(() => parseCheckpoint(text), 'a receipt is not a checkpoint')
  t.throws(() => parseReceipt(formatCheckpoint({ origin: 'audit-service.local/default', size: 5, rootHash: Buffer.alloc(32) })), /not a receipt/)
  t.equal(RECEIPT_HEADER.includes(' '), true, 'origins never contain a space, so the header is never an origin')
  t.throws(() => formatReceipt({ origin: 'a/b', id: 'x', receivedAt: 'y', recordSha256: Buffer.alloc(31) }), /32 bytes/)
})

t.test('tlog-proof: C2SP format both ways', async t => {
  // The example of c2sp.org/tlog-proof, with its signature lines shortened to valid base64.
  const example = 'c2sp.org/tlog-proof@v1\nextra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6\nindex 73894\n' +
    'gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=\nB95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=\n' +
    '\nexample.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n\n\u2014 example.com/fancylog hI2DJw==\n'
  const parsed = parseTlogProof(example)
  t.equal(parsed.index, 73894)
  t.equal(parsed.extra?.toString(), 'age-v1.2.1-darwin-arm64.tar.gz')
  t.equal(parsed.proof.length, 2)
  t.equal(parsed.checkpoint, 'example.com/fancylog\n109482\nsFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=\n\n\u2014 example.com/fancylog hI2DJw==\n')
  t.equal(formatTlogProof(parsed), example, 'round trip')

  const bare = formatTlogProof({ index: 0, proof: [], checkpoint: 'o/t\n1\n' + Buffer.alloc(32).toString('base64') + '\n\n\u2014 k AAAAAA==\n' })
  t.ok(bare.startsWith('c2sp.org/tlog-proof@v1\nindex 0\n\no/t\n1\n'), 'no extra line, no proof lines')
  t.same(parseTlogProof(bare).proof, [])
  t.throws(() => parseTlogProof(example.replace('index 73894', 'index 073894')), /invalid index/)
  t.throws(() => parseTlogProof(example.replace('index 73894\n', '')), /index/)
  t.throws(() => parseTlogProof(example.replace('gSKy', 'gSK')), /proof line 1/)
  t.throws(() => parseTlogProof(example.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2')), /first line/)
  t.throws(() => parseTlogProof(example.slice(0, example.indexOf('\n\n') + 2)), /checkpoint/)
})

t.test('verifyTlogProof checks signature, origin, record, index and path', async t => {
  const tree = new MemoryTree()
  const records = Array.from({ length: 11 }, (_, i) => ({ ...pending, id: `0193a1b2-0000-7000-8000-0000000000${String(i).padStart(2, '0')}`, seq: i + 1 }))
  for (const r of records) tree.append(canonicalBytes(r))
  const checkpoint = signNote(formatCheckpoint({ origin: 'audit-service.local/default', size: 11, rootHash: tree.range.root() }), key)
  const proofFor = async (i: number) => formatTlogProof({ extra: canonicalBytes(records[i]), index: i, proof: await inclusionProof(i, 11, tree.read), checkpoint })
  const opts = { verifiers: [key.verifier], origin: 'audit-service.local/default' }
  for (const i of [0, 5, 10]) t.match(verifyTlogProof(await proofFor(i), opts), { seq: i + 1, leaf_index: i, tree_size: 11 })

  const good = await proofFor(5)
  const p = parseTlogProof(good)
  t.throws(() => verifyTlogProof(good, { ...opts, verifiers: [other.verifier] }), /no valid signature/)
  t.throws(() => verifyTlogProof(good, { ...opts, origin: 'audit-service.local/acme' }), /origin/)
  const flipped = Buffer.from(p.proof[0]!); flipped[0]! ^= 1
  t.throws(() => verifyTlogProof(formatTlogProof({ ...p, proof: [flipped, ...p.proof.slice(1)] }), opts), /does not lead/)
  t.throws(() => verifyTlogProof(formatTlogProof({ ...p, index: 6 }), opts), /seq/)
  t.throws(() => verifyTlogProof(formatTlogProof({ ...p, extra: canonicalBytes({ ...records[5], action: 'x' }) }), opts), /does not lead/)
  t.throws(() => verifyTlogProof(formatTlogProof({ ...p, extra: Buffer.from('{"a": 1}') }), opts), /canonical/)
  const { extra: _extra, ...withoutRecord } = p
  t.throws(() => verifyTlogProof(formatTlogProof(withoutRecord), opts), /carries no record/)
  const { seq: _seq, ...recordWithoutSeq } = records[5]!
  t.match(verifyTlogProof(formatTlogProof(withoutRecord), { ...opts, record: recordWithoutSeq }), { seq: 6 }, 'the record may be given separately')
  t.throws(() => verifyTlogProof(good, { ...opts, record: records[4]! }), /not the record in the proof/)
})

t.test('proofs at any size need ONE read of O(log n) stored nodes (no rehashing)', async t => {
  let reads = 0
  let nodesRead = 0
  const zero = Buffer.alloc(32)
  const counting: NodeReader = async nodes => { reads++; nodesRead += nodes.length; return nodes.map(() => zero) }
  for (const n of [1_000_000, 1_048_576, 123_456_789, 2 ** 40 + 12_345]) {
    const log2 = Math.ceil(Math.log2(n))
    for (const leaf of [0, 1, Math.floor(n / 3), n - 2, n - 1]) {
      reads = 0; nodesRead = 0
      const { proof } = await proofWithRoots(counting, [n], read => inclusionProof(leaf, n, read))
      t.equal(reads, 1, `inclusion of ${leaf} in ${n}: one read`)
      t.ok(proof.length <= log2 && nodesRead <= 3 * log2, `inclusion of ${leaf} in ${n}: ${nodesRead} nodes <= 3 log2 n`)
    }
    for (const m of [1, 999, Math.floor(n / 2), n - 1]) {
      reads = 0; nodesRead = 0
      const { proof } = await proofWithRoots(counting, [m, n], read => consistencyProof(m, n, read))
      t.equal(reads, 1, `consistency ${m} -> ${n}: one read`)
      t.ok(proof.length <= 2 * log2 && nodesRead <= 5 * log2, `consistency ${m} -> ${n}: ${nodesRead} nodes`)
    }
  }

  // And what they return is right: proofs and roots against a real tree.
  const tree = new MemoryTree()
  for (let n = 1; n <= 40; n++) {
    tree.append(leafData(n - 1))
    for (const i of [0, Math.floor(n / 2), n - 1]) {
      const { proof, roots } = await proofWithRoots(tree.read, [n], read => inclusionProof(i, n, read))
      t.ok(roots[0]!.equals(tree.range.root()) && verifyInclusion(i, n, leafHash(leafData(i)), proof, roots[0]!), `inclusion ${i} in ${n}`)
    }
    for (const m of [1, Math.ceil(n / 2), n]) {
      const { proof, roots } = await proofWithRoots(tree.read, [m, n], read => consistencyProof(m, n, read))
      t.ok(verifyConsistency(m, n, roots[0]!, roots[1]!, proof), `consistency ${m} -> ${n}`)
    }
  }
})

t.test('witnessStep: first, unchanged, grew; alarms on fork, rollback, bad proof, bad signature', async t => {
  const origin = 'audit-service.local/default'
  const tree = new MemoryTree()
  const roots: Buffer[] = [Buffer.alloc(32)]
  for (let i = 0; i < 30; i++) { tree.append(leafData(i)); roots.push(tree.range.root()) }
  const cp = (size: number, root = roots[size]!, signer = key) => signNote(formatCheckpoint({ origin, size, rootHash: root }), signer)
  const server = async (from: number, to: number) => ({ from, to, proof: (await consistencyProof(from, to, tree.read)).map(h => h.toString('base64')) })
  const opts = { verifiers: [key.verifier] }

  const first = await witnessStep(undefined, cp(10), opts, server)
  t.equal(first.kind, 'first')
  if (first.kind !== 'first') return
  t.match(first.state, { origin, size: 10, root_hash: roots[10]!.toString('base64'), note: cp(10) })
  t.equal((await witnessStep(first.state, cp(10), opts, server)).kind, 'unchanged')
  const grew = await witnessStep(first.state, cp(25), opts, server)
  t.match(grew, { kind: 'grew', from: 10, state: { size: 25 } })

  const forkRoot = Buffer.alloc(32, 7)
  t.match(await witnessStep(first.state, cp(10, forkRoot), opts, server), { kind: 'alarm', reason: /two different signed roots for size 10/ })
  t.match(await witnessStep(first.state, cp(5), opts, server), { kind: 'alarm', reason: /shrank/ })
  t.match(await witnessStep(first.state, cp(25, forkRoot), opts, server), { kind: 'alarm', reason: /INCONSISTENT/ }, 'a rewritten tree signed at a larger size')
  const liar = async (from: number, to: number) => {
    const doc = await server(from, to)
    doc.proof[0] = Buffer.alloc(32).toString('base64')
    return doc
  }
  t.match(await witnessStep(first.state, cp(25), opts, liar), { kind: 'alarm', reason: /INCONSISTENT/ })
  t.match(await witnessStep(first.state, cp(25), opts, async () => ({ from: 1, to: 25, proof: [] })), { kind: 'alarm', reason: /other sizes/ })
  t.match(await witnessStep(first.state, cp(25, roots[25], other), opts, server), { kind: 'alarm', reason: /no valid signature/ })
  const elsewhere = signNote(formatCheckpoint({ origin: 'audit-service.local/acme', size: 25, rootHash: roots[25]! }), key)
  t.match(await witnessStep(first.state, elsewhere, opts, server), { kind: 'alarm', reason: /origin/ }, 'the origin seen first is pinned')
  await t.rejects(witnessStep(first.state, cp(25), opts, async () => { throw new Error('network down') }), /network down/, 'network trouble is not an alarm')
})
