import t from 'tap'
import { parseCheckpoint } from '../../src/core/checkpoint/index.js'
import { CompactRange, leafHash, verifyConsistency, verifyInclusion } from '../../src/core/merkle/index.js'
import { openNote, parseVerifierKey, type ParsedVerifierKey } from '../../src/core/note/index.js'
import { openReceipt } from '../../src/proofs/receipt.js'
import { recordSha256 } from '../../src/proofs/record-sha256.js'
import { parseTlogProof } from '../../src/proofs/tlog-proof.js'
import { verifyConsistencyDocument } from '../../src/proofs/verify-consistency-document.js'
import { verifyReceipt } from '../../src/proofs/verify-receipt.js'
import { verifyTlogProof } from '../../src/proofs/verify-tlog-proof.js'
import { buildTestApp, countRows, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'

const ORIGIN = 'audit-service.local/default'
const b64 = (list: string[]) => list.map(s => Buffer.from(s, 'base64'))
const bearer = (key: string) => ({ authorization: `Bearer ${key}` })
/** The signed note closing a receipt v2: the batch size and root, and the one signature. */
const batchNote = (receipt: string) => receipt.slice(receipt.indexOf('\n\n') + 2)

async function publishedKey (app: Awaited<ReturnType<typeof buildTestApp>>, tenant = 'default'): Promise<ParsedVerifierKey> {
  const keys = (await app.inject({ method: 'GET', url: `/.well-known/audit-log-keys?tenant=${tenant}` })).json()
  return parseVerifierKey(keys.keys[0].verifier_key)
}

t.test('receipts at ingest verify with the published key and match the stored record minus seq', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const key = await publishedKey(app)
  const stored = async (id: string) => {
    const row = await waitFor(() => db.selectFrom('audit_events').select(['seq', 'canonical']).where('id', '=', id).executeTakeFirst(), { what: `row ${id}` })
    return { seq: row.seq, record: JSON.parse(row.canonical.toString('utf8')) as Record<string, unknown> }
  }

  // A secret to scrub and no request_id: the record gets redactions and the request's id.
  const id = '0193a1b2-0000-7000-8000-0000000000a1'
  const event = sampleEvent({ id, metadata: { password: 'hunter2', method: 'password' } })
  const first = await app.inject({ method: 'POST', url: '/audit-events', headers: { 'x-request-id': 'req-first' }, payload: event })
  t.equal(first.statusCode, 202)
  const answer = first.json()
  const receipt = openReceipt(answer.receipt, [key])
  t.same({ ...receipt, recordSha256: receipt.recordSha256.toString('base64') }, { origin: ORIGIN, id, receivedAt: answer.received_at, recordSha256: answer.record_sha256 })
  t.equal(answer.receipt.split('\n')[0], 'audit-service receipt v2')

  const { seq, record } = await stored(id)
  t.equal(record.seq, seq)
  t.same(record.redactions, ['/metadata/password'])
  t.equal(record.request_id, 'req-first')
  t.equal(recordSha256(record).toString('base64'), answer.record_sha256, 'SHA-256 of JCS(stored record without seq)')
  t.match(verifyReceipt(answer.receipt, { verifiers: [key], origin: ORIGIN, record }), { id, record_matches: true })
  t.throws(() => verifyReceipt(answer.receipt, { verifiers: [key], record: { ...record, outcome: 'failure' } }), /content differs/)

  // A duplicate under another request id (so its own pending record would differ) answers
  // with a receipt for the ORIGINAL record (same five lines, signed in another batch): it is
  // the one that matches what is stored.
  const again = await app.inject({ method: 'POST', url: '/audit-events', headers: { 'x-request-id': 'req-second' }, payload: event })
  t.equal(again.statusCode, 202)
  t.match(again.json(), { id, duplicate: true, received_at: answer.received_at, record_sha256: answer.record_sha256 })
  t.same(openReceipt(again.json().receipt, [key]), receipt, 'the same statement as the original receipt')
  t.equal(again.json().receipt.split('\n').slice(0, 5).join('\n'), answer.receipt.split('\n').slice(0, 5).join('\n'), 'the same five lines')
  t.match(verifyReceipt(again.json().receipt, { verifiers: [key], record }), { record_matches: true })

  // Batches: one receipt per item, duplicates included, all under one signature.
  const events = [0, 1, 2].map(i => sampleEvent({ id: `0193a1b2-0000-7000-8000-0000000000b${i}`, target: { type: 'doc', id: `d${i}` } }))
  const batch = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: [...events, event] } })
  t.equal(batch.statusCode, 202)
  const items = batch.json().items as Array<{ id: string, duplicate: boolean, receipt: string, received_at: string }>
  t.equal(items.length, 4)
  t.same(items.map(i => i.duplicate), [false, false, false, true])
  t.same(openReceipt(items[3]!.receipt, [key]), receipt, 'the duplicate\'s receipt says what the original said')
  t.same(items.map(i => i.receipt.split('\n')[5]), ['0 4', '1 4', '2 4', '3 4'], 'leaves 0..3 of one batch of 4')
  t.equal(new Set(items.map(i => batchNote(i.receipt))).size, 1, 'one signed note for the whole request')
  for (const item of items) {
    const r = await stored(item.id)
    t.match(verifyReceipt(item.receipt, { verifiers: [key], origin: ORIGIN, record: r.record }), { id: item.id, received_at: item.received_at, record_matches: true })
  }
  await waitFor(async () => await countRows(db) === 4, { what: '4 rows' })

  // A duplicate remembered by an older version (no digest kept) answers without a receipt.
  const idem = `${config.queuePrefix}:idem:default:${events[0]!.id as string}`
  const kept = (await app.redis.get(idem))!
  t.equal(kept.split(' ').length, 3, 'the idempotency key keeps the receipt digest')
  await app.redis.set(idem, kept.split(' ').slice(0, 2).join(' '))
  const old = await app.inject({ method: 'POST', url: '/audit-events', payload: events[0]! })
  t.equal(old.statusCode, 202)
  t.equal(old.json().duplicate, true)
  t.equal(old.json().receipt, undefined)
})

t.test('one signature per batch: concurrent single events answered together, and a batch request', async t => {
  // The producer flushes when the 20th request arrives (and not before: a long window), so all
  // 20 are answered in one turn and their receipts are signed together.
  const config = await testConfig(t, { INGEST_BATCH_WINDOW_MS: '1000', INGEST_BATCH_MAX: '20' })
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const key = await publishedKey(app)
  const acmeKey = await publishedKey(app, 'acme')

  // Two tenants answered in one turn: each tenant's receipts are one batch, signed under its
  // own key name (another tenant's receipt must not carry it).
  const events = Array.from({ length: 20 }, (_, i) => sampleEvent({ tenant: i % 2 === 0 ? 'default' : 'acme', target: { type: 'doc', id: `c${i}` } }))
  const answers = (await Promise.all(events.map(payload => app.inject({ method: 'POST', url: '/audit-events', payload })))).map(res => {
    t.equal(res.statusCode, 202)
    return res.json() as { id: string, received_at: string, record_sha256: string, receipt: string }
  })
  for (const [i, answer] of answers.entries()) {
    const r = openReceipt(answer.receipt, [i % 2 === 0 ? key : acmeKey])
    t.throws(() => openReceipt(answer.receipt, [i % 2 === 0 ? acmeKey : key]), /no valid signature/)
    t.same({ ...r, recordSha256: r.recordSha256.toString('base64') }, { origin: `audit-service.local/${i % 2 === 0 ? 'default' : 'acme'}`, id: answer.id, receivedAt: answer.received_at, recordSha256: answer.record_sha256 })
  }
  t.equal(new Set(answers.map(a => batchNote(a.receipt))).size, 2, 'the 20 receipts share two signed notes: one signature per tenant')
  t.same(answers.map(a => a.receipt.split('\n')[5]!.split(' ')[1]).filter(size => size !== '10'), [], 'each is a leaf of its tenant\'s batch of 10')
  t.same(new Set(answers.map(a => a.receipt.split('\n')[5]!.split(' ')[0])).size, 10, 'at 10 different leaves')

  // A batch request of 100: one note for all its items.
  const batch = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: Array.from({ length: 100 }, (_, i) => sampleEvent({ target: { type: 'doc', id: `b${i}` } })) } })
  t.equal(batch.statusCode, 202)
  const items = batch.json().items as Array<{ id: string, received_at: string, receipt: string }>
  t.equal(items.length, 100)
  t.equal(new Set(items.map(i => batchNote(i.receipt))).size, 1, 'the 100 receipts share one signed note')
  t.not(batchNote(items[0]!.receipt), batchNote(answers[0]!.receipt))
  items.forEach((item, i) => {
    t.equal(item.receipt.split('\n')[5], `${i} 100`)
    t.equal(openReceipt(item.receipt, [key]).id, item.id)
  })

  // And they are receipts for what was stored.
  await waitFor(async () => await countRows(db) === 110 && await countRows(db, 'acme') === 10, { what: '120 rows' })
  const rows = await db.selectFrom('audit_events').select(['id', 'canonical']).execute()
  const byId = new Map(rows.map(r => [r.id, JSON.parse(r.canonical.toString('utf8')) as Record<string, unknown>]))
  for (const a of [...answers, ...items]) {
    const r = verifyReceipt(a.receipt, { verifiers: [key, acmeKey], record: byId.get(a.id)! })
    if (!r.record_matches) t.fail(`receipt of ${a.id} does not match the stored record`)
  }
  t.pass('all 120 receipts match their stored records')
})

t.test('inclusion and consistency proofs from stored subtree hashes', async t => {
  const config = await testConfig(t, { CHECKPOINT_INTERVAL_SECONDS: '3600' })
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const key = await publishedKey(app)

  const ids: string[] = []
  const checkpoints = new Map<number, { note: string, root: Buffer }>()
  const grow = async (count: number, sign: boolean) => {
    const events = Array.from({ length: count }, (_, i) => sampleEvent({ id: `0193a1b2-0000-7000-8000-${String(ids.length + i + 1).padStart(12, '0')}` }))
    t.equal((await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events } })).statusCode, 202)
    ids.push(...events.map(e => e.id as string))
    await waitFor(async () => await countRows(db) === ids.length, { what: `${ids.length} rows` })
    if (!sign) return
    const res = await app.inject({ method: 'POST', url: '/checkpoints' })
    t.equal(res.statusCode, 201)
    const cp = parseCheckpoint(openNote(res.json().note, [key]).text)
    checkpoints.set(cp.size, { note: res.json().note, root: cp.rootHash })
  }
  const proof = (id: string, query = '') => app.inject({ method: 'GET', url: `/audit-events/${id}/proof${query}` })

  // (The worker signs the very first checkpoint by itself; after it, none for an hour.)
  await grow(20, true) // checkpoint at 20
  await grow(13, true) // checkpoint at 33
  await grow(4, false) // head 37, beyond the latest checkpoint

  // The roots of every prefix, from the stored bytes (what a full verifier computes).
  const rows = await db.selectFrom('audit_events').select(['seq', 'canonical']).where('tenant', '=', 'default').orderBy('seq').execute()
  const range = CompactRange.empty()
  const roots = [range.root()]
  for (const row of rows) { range.append(leafHash(row.canonical)); roots.push(range.root()) }
  for (const [size, cp] of checkpoints) t.ok(cp.root.equals(roots[size]!), `checkpoint ${size} signs the stored tree`)

  // Several events at several sizes: the default (latest checkpoint, 33), the older checkpoint
  // (20), and sizes without a checkpoint (proof against the stored root, no signature).
  for (const seq of [1, 2, 7, 16, 20, 21, 32, 33]) {
    const id = ids[seq - 1]!
    const leaf = leafHash(rows[seq - 1]!.canonical)
    for (const treeSize of [undefined, 20, 25, 33, 37]) {
      if (treeSize !== undefined && treeSize < seq) continue
      const res = await proof(id, treeSize === undefined ? '' : `?tree_size=${treeSize}`)
      t.equal(res.statusCode, 200, res.body)
      const body = res.json()
      const size = treeSize ?? 33
      t.match(body, { id, tenant: 'default', origin: ORIGIN, seq, leaf_index: seq - 1, tree_size: size, leaf_hash: leaf.toString('base64'), root_hash: roots[size]!.toString('base64') })
      const cp = checkpoints.get(size)
      t.ok(verifyInclusion(seq - 1, size, leaf, b64(body.inclusion_proof), cp?.root ?? roots[size]!), `seq ${seq} in tree ${size} verifies`)
      if (cp === undefined) {
        t.equal(body.checkpoint, undefined)
        t.equal(body.tlog_proof, undefined)
        continue
      }
      t.equal(body.checkpoint, cp.note)
      const tlog = parseTlogProof(body.tlog_proof)
      t.equal(tlog.index, seq - 1)
      t.ok(tlog.extra?.equals(rows[seq - 1]!.canonical), 'extra carries the canonical record')
      t.equal(tlog.checkpoint, cp.note)
      t.match(verifyTlogProof(body.tlog_proof, { verifiers: [key], origin: ORIGIN }), { id, seq, tree_size: size })
    }
  }
  const text = await proof(ids[6]!, '?format=tlog-proof&tree_size=20')
  t.equal(text.statusCode, 200)
  t.equal(text.headers['content-type'], 'text/plain; charset=utf-8')
  t.equal(text.body, (await proof(ids[6]!, '?tree_size=20')).json().tlog_proof)

  // Errors name the problem.
  t.match((await proof(ids[35]!)).json(), { statusCode: 409, code: 'AUDIT_ERR_NOT_CHECKPOINTED', message: /seq 36 .* covers 33 records/ })
  t.match((await proof(ids[9]!, '?tree_size=38')).json(), { statusCode: 400, code: 'AUDIT_ERR_TREE_SIZE', message: /beyond the log's size 37/ })
  t.match((await proof(ids[9]!, '?tree_size=9')).json(), { statusCode: 400, message: /seq 10: it is not in the tree of size 9/ })
  t.match((await proof(ids[9]!, '?tree_size=25&format=tlog-proof')).json(), { statusCode: 404, code: 'AUDIT_ERR_NO_CHECKPOINT' })
  t.equal((await proof('0193a1b2-0000-7000-8000-999999999999')).statusCode, 404)
  t.equal((await proof('not-a-uuid')).statusCode, 400)
  t.equal((await proof(ids[0]!, '?tree_size=0')).statusCode, 400)

  // Tenancy and scope: another tenant's event is a 404; events:read is needed.
  const acmeReader = await app.keyStore.create('acme', 'acme reader', ['events:read'])
  const defaultReader = await app.keyStore.create('default', 'default reader', ['events:read'])
  const defaultWriter = await app.keyStore.create('default', 'default writer', ['events:write'])
  t.equal((await app.inject({ method: 'GET', url: `/audit-events/${ids[0]!}/proof`, headers: bearer(acmeReader.key) })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: `/audit-events/${ids[0]!}/proof?tenant=acme` })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: `/audit-events/${ids[0]!}/proof`, headers: bearer(defaultReader.key) })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: `/audit-events/${ids[0]!}/proof`, headers: bearer(defaultWriter.key) })).statusCode, 403)
  t.equal((await app.inject({ method: 'GET', url: '/proofs/consistency?from=1', headers: bearer(defaultWriter.key) })).statusCode, 403)
  t.equal((await app.inject({ method: 'GET', url: '/proofs/consistency?from=1', headers: bearer(acmeReader.key) })).statusCode, 404, 'acme has no checkpoint')

  // Consistency: between the two checkpoints (default to = latest), and between any sizes.
  const consistency = (query: string) => app.inject({ method: 'GET', url: `/proofs/consistency?${query}` })
  const between = await consistency('from=20')
  t.equal(between.statusCode, 200, between.body)
  const doc = between.json()
  t.match(doc, { tenant: 'default', origin: ORIGIN, from: 20, to: 33, from_checkpoint: checkpoints.get(20)!.note, to_checkpoint: checkpoints.get(33)!.note })
  t.ok(verifyConsistency(20, 33, checkpoints.get(20)!.root, checkpoints.get(33)!.root, b64(doc.proof)), 'checkpoint 20 -> 33')
  t.match(verifyConsistencyDocument(doc, { verifiers: [key], origin: ORIGIN, oldCheckpoint: checkpoints.get(20)!.note }), { from: 20, to: 33, own_checkpoint: true })
  for (let from = 1; from <= 37; from++) {
    for (const to of [from, 20, 33, 37]) {
      if (to < from) continue
      const res = await consistency(`from=${from}&to=${to}`)
      const body = res.json()
      t.ok(res.statusCode === 200 && body.from_root === roots[from]!.toString('base64') && body.to_root === roots[to]!.toString('base64') &&
        verifyConsistency(from, to, roots[from]!, roots[to]!, b64(body.proof)), `consistency ${from} -> ${to}`)
    }
  }
  t.same((await consistency('from=33&to=33')).json().proof, [])
  t.match((await consistency('from=34')).json(), { statusCode: 400, code: 'AUDIT_ERR_TREE_SIZE', message: /from \(34\) is larger than to \(33, the latest checkpoint\)/ })
  t.match((await consistency('from=5&to=38')).json(), { statusCode: 400, message: /to \(38\) is beyond the log's size 37/ })
  t.equal((await consistency('from=0')).statusCode, 400)
  t.equal((await consistency('to=5')).statusCode, 400, 'from is required')
})
