import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import t from 'tap'
import { formatCheckpoint, parseCheckpoint } from '../../src/core/checkpoint/index.js'
import { leafHash, consistencyProof, inclusionProof, verifyConsistency, verifyInclusion, type NodeReader, batchTree, inclusionPathLength } from '../../src/core/merkle/index.js'
import { formatVerifierKey, openNote, parseVerifierKey, publicKeyBytes, signNote } from '../../src/core/note/index.js'
import { receiptRecordMismatch } from '../../src/proofs/check-receipt-record.js'
import { proofWithRoots } from '../../src/proofs/proof-with-roots.js'
import { readProofInput } from '../../src/proofs/read-proof-input.js'
import { formatReceipt, openReceipt, parseReceipt, parseReceiptV2, RECEIPT_BATCH_HEADER, RECEIPT_V1_HEADER, RECEIPT_V2_HEADER } from '../../src/proofs/receipt.js'
import { ReceiptSigner } from '../../src/proofs/receipt-signer.js'
import { recordSha256 } from '../../src/proofs/record-sha256.js'
import { formatTlogProof, parseTlogProof } from '../../src/proofs/tlog-proof.js'
import { verifyTlogProof } from '../../src/proofs/verify-tlog-proof.js'
import { witnessStep } from '../../src/proofs/witness-step.js'
import { canonicalBytes } from '../../src/core/json/index.js'
import { MemoryTree, leafData, naiveRoot } from '../core/helpers/memory-tree.js'

function makeKey (name = 'audit-service') {
  const { privateKey } = generateKeyPairSync('ed25519')
  const publicKey = publicKeyBytes(privateKey)
  const verifierKey = formatVerifierKey(name, publicKey)
  return { name, privateKey, publicKey, verifierKey, verifier: parseVerifierKey(verifierKey) }
}

const key = makeKey()
/** The receipt signer's keys: here one key under its own name for every tenant. */
const signedBy = (k: { name: string, privateKey: KeyObject }) => ({ signersFor: () => [{ name: k.name, privateKey: k.privateKey }] })
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

// A v1 receipt as the API issued it before v2 (the old OpenAPI example, signed with the RFC 8032
// test key): receipts already handed out must keep verifying.
const V1_FIXTURE = 'audit-service receipt v1\naudit-service.local/default\n01a21a5e-22ee-7631-9a4d-dce05455e1eb\n2026-11-27T00:18:26.670Z\nWP6u3nbXc5fGABk5552s3ZmlPs5GpT4M3phrjmgln8U=\n\n\u2014 audit-service 9g5FdS3Um9QkJJiDWO5Fz6YCH0YHUgkC0rid7ycyf/6kxTrtYt96uVweuaNBcnTnalq0bZsQ0JQImg50SGJKmvJCHAM=\n'
const V1_FIXTURE_KEY = 'audit-service+f60e4575+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea'

t.test('receipts v1: still verified, the exact signed bytes, one textual form', async t => {
  const fixed = openReceipt(V1_FIXTURE, [parseVerifierKey(V1_FIXTURE_KEY)])
  t.same({ ...fixed, recordSha256: fixed.recordSha256.toString('base64') }, {
    origin: 'audit-service.local/default', id: '01a21a5e-22ee-7631-9a4d-dce05455e1eb', receivedAt: '2026-11-27T00:18:26.670Z', recordSha256: 'WP6u3nbXc5fGABk5552s3ZmlPs5GpT4M3phrjmgln8U='
  })
  t.throws(() => openReceipt(V1_FIXTURE.replace('26.670Z', '26.671Z'), [parseVerifierKey(V1_FIXTURE_KEY)]), /does not verify/)
  t.equal(readProofInput(V1_FIXTURE)?.type, 'receipt')

  const sha = recordSha256(pending)
  const text = `audit-service receipt v1\naudit-service.local/default\n${pending.id}\n${pending.received_at}\n${sha.toString('base64')}\n`
  t.equal(formatReceipt({ origin: 'audit-service.local/default', id: pending.id, receivedAt: pending.received_at, recordSha256: sha }), text, 'the five documented lines')
  const note = signNote(text, { name: key.name, privateKey: key.privateKey })
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
  for (const header of [RECEIPT_V1_HEADER, RECEIPT_V2_HEADER, RECEIPT_BATCH_HEADER]) {
    t.equal(header.includes(' '), true, `origins never contain a space, so ${JSON.stringify(header)} is never an origin`)
  }
  t.throws(() => formatReceipt({ origin: 'a/b', id: 'x', receivedAt: 'y', recordSha256: Buffer.alloc(31) }), /32 bytes/)
})

/** `n` subjects of two tenants (a batch may mix them: a leaf only shows a hash). */
function subjects (n: number) {
  return Array.from({ length: n }, (_, i) => ({
    id: `0193a1b2-0000-7000-8000-${String(i).padStart(12, '0')}`,
    // One tenant: a batch is one tenant's, its keys named after that tenant's origin.
    tenant: 'acme',
    received_at: `2026-11-26T12:00:00.${String(i % 1000).padStart(3, '0')}Z`,
    record_sha256: recordSha256({ ...pending, id: `x${i}` }).toString('base64')
  }))
}

/** The five lines, `<index> <size>`, the path lines, and the note, as a receipt v2 lays them out. */
function splitV2 (receipt: string) {
  const lines = receipt.split('\n')
  const blank = lines.indexOf('', 6)
  return { five: lines.slice(0, 5), position: lines[5]!, path: lines.slice(6, blank), note: lines.slice(blank + 1).join('\n') }
}

t.test('receipts v2: every leaf of batches of 1, 2, 3, 5, 8 and 100 verifies under one signature', async t => {
  const signer = new ReceiptSigner(signedBy(key), 'audit-service.local')
  for (const size of [1, 2, 3, 5, 8, 100]) {
    const batch = subjects(size)
    const receipts = signer.signBatch(batch)
    t.equal(receipts.length, size)
    const leaves = batch.map(s => `audit-service receipt v2\naudit-service.local/${s.tenant}\n${s.id}\n${s.received_at}\n${s.record_sha256}\n`)
    // The reference: the repository's stored-node tree and naive RFC 6962 MTH over the same leaves.
    const tree = new MemoryTree()
    for (const leaf of leaves) tree.append(Buffer.from(leaf))
    const root = naiveRoot(leaves.map(l => Buffer.from(l)))
    const note = signNote(`audit-service receipt batch v2\n${size} ${root.toString('base64')}\n`, { name: key.name, privateKey: key.privateKey })
    for (let i = 0; i < size; i++) {
      const path = (await inclusionProof(i, size, tree.read)).map(h => h.toString('base64') + '\n').join('')
      t.equal(receipts[i], `${leaves[i]}${i} ${size}\n${path}\n${note}`, `size ${size} leaf ${i}: the exact documented bytes`)
      const r = openReceipt(receipts[i]!, [key.verifier])
      t.same({ ...r, recordSha256: r.recordSha256.toString('base64') }, { origin: `audit-service.local/${batch[i]!.tenant}`, id: batch[i]!.id, receivedAt: batch[i]!.received_at, recordSha256: batch[i]!.record_sha256 })
    }
    t.equal(new Set(receipts.map(r => splitV2(r).note)).size, 1, `size ${size}: one signed note shared by all`)
  }
  t.same(signer.signBatch([]), [])
  const [single] = signer.signBatch(subjects(1))
  t.equal(splitV2(single!).path.length, 0, 'a batch of one has an empty path')
  t.equal(readProofInput(single!)?.type, 'receipt')
  t.equal(readProofInput(JSON.stringify({ receipt: single }))?.type, 'receipt')
  t.throws(() => signer.signBatch([{ ...subjects(1)[0]!, id: 'an id' }]), /printable ASCII/)

  // The batch tree helper against the reference, at more sizes.
  for (let size = 1; size <= 33; size++) {
    const data = Array.from({ length: size }, (_, i) => leafData(i))
    const built = batchTree(data.map(d => leafHash(d)))
    t.ok(built.root.equals(naiveRoot(data)), `batchTree root, size ${size}`)
    const tree = new MemoryTree()
    for (const d of data) tree.append(d)
    for (let i = 0; i < size; i++) {
      const want = await inclusionProof(i, size, tree.read)
      if (built.paths[i]!.length !== want.length || built.paths[i]!.some((h, j) => !h.equals(want[j]!)) || inclusionPathLength(i, size) !== want.length) {
        t.fail(`batchTree path of leaf ${i} of ${size}`)
      }
    }
  }
})

t.test('receipts v2: any change to a line, the index, the size, the path, the root or the signature is refused', async t => {
  const signer = new ReceiptSigner(signedBy(key), 'audit-service.local')
  const batch = subjects(5)
  const receipts = signer.signBatch(batch)
  const good = receipts[2]! // leaf 2 of 5: a path of 3
  const parts = splitV2(good)
  t.equal(parts.path.length, 3)
  const join = (p: { five: string[], position: string, path: string[], note: string }) => [...p.five, p.position, ...p.path, '', p.note].join('\n')
  t.equal(join(parts), good)
  const open = (receipt: string) => () => openReceipt(receipt, [key.verifier])
  const flip = (b64: string) => (b64.startsWith('A') ? 'B' : 'A') + b64.slice(1)
  const withFive = (i: number, value: string) => join({ ...parts, five: parts.five.map((l, j) => j === i ? value : l) })
  const noteLines = parts.note.split('\n')
  const withNoteLine = (i: number, value: string) => join({ ...parts, note: noteLines.map((l, j) => j === i ? value : l).join('\n') })

  t.notOk(open(good)() === undefined)
  const notSigned = /receipt inclusion path does not lead to the signed root/
  t.throws(open(withFive(1, 'audit-service.local/default')), notSigned, 'origin')
  t.throws(open(withFive(2, batch[3]!.id)), notSigned, 'id')
  t.throws(open(withFive(3, '2026-11-26T12:00:01.000Z')), notSigned, 'received_at')
  t.throws(open(withFive(4, flip(parts.five[4]!))), notSigned, 'record digest')
  t.throws(open(join({ ...parts, position: '3 5' })), notSigned, 'another index with a path of the same length')
  t.throws(open(join({ ...parts, path: splitV2(receipts[3]!).path })), notSigned, 'the path of another index')
  t.throws(open(join({ ...parts, five: splitV2(receipts[3]!).five })), notSigned, 'the lines of another leaf with this leaf\'s index and path')
  t.throws(open(join({ ...parts, path: parts.path.map((h, j) => j === 1 ? flip(h) : h) })), notSigned, 'a path hash')
  t.throws(open(join({ ...parts, path: [parts.path[1]!, parts.path[0]!, parts.path[2]!] })), notSigned, 'path hashes swapped')
  t.throws(open(join({ ...parts, position: '2 6' })), /signed batch size "5" is not the receipt's 6/, 'a size with a path of the same length')
  const [signedSize, signedRoot] = noteLines[1]!.split(' ') as [string, string]
  t.throws(open(withNoteLine(1, `${signedSize} ${flip(signedRoot)}`)), /does not verify/, 'the root')
  t.throws(open(withNoteLine(1, `6 ${signedRoot}`)), /does not verify/, 'the signed size')
  t.throws(open(withNoteLine(3, noteLines[3]!.slice(0, -8) + (noteLines[3]!.endsWith('AAAAAAA=') ? 'BAAAAAA=' : 'AAAAAAA='))), /does not verify/, 'the signature')
  t.throws(open(withFive(0, RECEIPT_V1_HEADER)), /does not verify|not a receipt/, 'the header')
  t.throws(() => openReceipt(good, [other.verifier]), /no valid signature/, 'an unknown key')

  // One textual form.
  const badFormat = (receipt: string, re: RegExp, name: string) => t.throws(open(receipt), re, name)
  badFormat(join({ ...parts, position: '4 5' }), /more than 1 hashes; leaf 4 of a batch of 5 needs exactly 1/, 'a path too long for the index')
  badFormat(join({ ...parts, position: '2 4' }), /more than 2 hashes/, 'a path too long for the size')
  badFormat(join({ ...parts, path: parts.path.slice(1) }), /has 2 hashes; leaf 2 of a batch of 5 needs exactly 3/, 'a hash missing')
  badFormat(join({ ...parts, position: '5 5' }), /leaf index 5 is not in a batch of size 5/, 'index = size')
  for (const position of ['02 5', '2 05', '2 0', '0 0', '2  5', '-1 5', '2 5 ', ' 2 5', '2', '2 99999999999999999']) {
    badFormat(join({ ...parts, position }), /line 6 must be|too large/, `position ${JSON.stringify(position)}`)
  }
  badFormat(join({ ...parts, path: [parts.path[0]!.replace(/=$/, ''), ...parts.path.slice(1)] }), /base64 of 32 bytes/, 'unpadded path hash')
  badFormat(join({ ...parts, path: [parts.path[0]!.slice(4), ...parts.path.slice(1)] }), /base64 of 32 bytes/, 'short path hash')
  badFormat(withFive(2, 'an id'), /printable ASCII/, 'a space in a field')
  badFormat(withFive(4, 'AAAA'), /32 bytes/, 'a short digest')
  badFormat(good.slice(0, good.indexOf('\n\n') + 1) + parts.note, /base64 of 32 bytes, followed by a blank line/, 'no blank line before the note')
  badFormat(parts.five.join('\n') + '\n', /ends before/, 'cut short')
  t.throws(open(good + 'x\n'), /bad signature line|malformed/, 'trailing text')
  // A note over anything but the three batch lines is refused, even signed by the log key.
  const reSigned = (text: string) => join({ ...parts, note: signNote(text, { name: key.name, privateKey: key.privateKey }) })
  badFormat(reSigned(`audit-service receipt batch v2\n5 ${signedRoot}\nextra\n`), /exactly two lines/, 'a third signed line')
  badFormat(reSigned(`audit-service receipt batch v2\n5\n${signedRoot}\n`), /exactly two lines/, 'size and root on two lines')
  badFormat(reSigned(`audit-service.local/default\n5\n${signedRoot}\n`), /exactly two lines/, 'a checkpoint as the note')
  badFormat(reSigned(`audit-service receipt batch v2\n05 ${signedRoot}\n`), /signed batch size/, 'a non-canonical signed size')
  badFormat(reSigned(`audit-service receipt batch v2\n5  ${signedRoot}\n`), /exactly two lines/, 'two spaces')
  badFormat(reSigned('audit-service receipt batch v2\n5 AAAA\n'), /root must be base64 of 32 bytes/, 'a short root')

  // Domain separation: the batch note is neither a receipt nor a checkpoint, the five v2 lines are not a v1 receipt.
  t.throws(() => openReceipt(parts.note, [key.verifier]), /not a receipt/)
  t.throws(() => parseCheckpoint(openNote(parts.note, [key.verifier]).text), /checkpoint needs origin, size and root lines/, 'a batch note is not a checkpoint (a three-line text would be)')
  t.throws(() => parseReceipt(parts.five.join('\n') + '\n'), /not a receipt/)
  t.throws(() => parseReceiptV2(V1_FIXTURE), /not a receipt v2/)
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
