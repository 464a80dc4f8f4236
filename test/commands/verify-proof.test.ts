import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { verifyProof } from '../../src/commands/verify-proof.js'
import { formatVerifierKey, parseVerifierKey, publicKeyBytes } from '../../src/core/note/index.js'
import { generateKeyPairSync } from 'node:crypto'
import { buildTestApp, countRows, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor, runCli } from '../helper.js'

/** The command in this process, its output captured. */
async function cli (args: string[]): Promise<{ status: number | null, stdout: string, stderr: string }> {
  let stdout = ''
  let stderr = ''
  const status = await verifyProof(args, { out: s => { stdout += s }, err: s => { stderr += s } })
  return { status, stdout, stderr }
}

/** The real CLI process. */
const cliProcess = (args: string[]) => runCli('verify-proof', args)

t.test('verify-proof checks tlog-proofs, receipts and consistency proofs offline; tampering exits 1', async t => {
  const config = await testConfig(t, { CHECKPOINT_INTERVAL_SECONDS: '3600' })
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const dir = await mkdtemp(join(tmpdir(), 'verify-proof-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = async (name: string, content: string) => {
    const path = join(dir, name)
    await writeFile(path, content)
    return path
  }
  const keysAnswer = (await app.inject({ method: 'GET', url: '/.well-known/audit-log-keys?tenant=default' })).body
  const key = JSON.parse(keysAnswer).keys[0].verifier_key as string
  // Receipts issued before keys were named after origins carry the legacy name (SIGNING_KEY_NAME):
  // the same key under it, as /.well-known lists it (`status: "legacy"`) after an upgrade.
  const legacyKey = formatVerifierKey('audit-service', parseVerifierKey(key).publicKey)
  const stranger = formatVerifierKey('audit-service', publicKeyBytes(generateKeyPairSync('ed25519').privateKey))

  const accepted: Array<{ id: string, receipt: string }> = []
  for (const half of [0, 1]) {
    const events = Array.from({ length: 10 }, (_, i) => sampleEvent({ target: { type: 'doc', id: `d${half * 10 + i}` } }))
    const res = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events } })
    accepted.push(...res.json().items)
    await waitFor(async () => await countRows(db) === (half + 1) * 10, { what: 'rows' })
    t.equal((await app.inject({ method: 'POST', url: '/checkpoints' })).statusCode, 201)
  }
  const target = accepted[6]!
  const tlogText = (await app.inject({ method: 'GET', url: `/audit-events/${target.id}/proof?format=tlog-proof` })).body
  const tlog = await file('event.tlog-proof', tlogText)
  const proofJson = await file('proof.json', (await app.inject({ method: 'GET', url: `/audit-events/${target.id}/proof?tree_size=10` })).body)
  const receipt = await file('receipt.txt', target.receipt)
  const answer = await file('answer.json', JSON.stringify(target))
  const otherReceipt = await file('other-receipt.txt', accepted[7]!.receipt)
  const row = await db.selectFrom('audit_events').select('canonical').where('id', '=', target.id).executeTakeFirstOrThrow()
  const stored = JSON.parse(row.canonical.toString('utf8'))
  const record = await file('record.json', JSON.stringify(stored))
  const apiRecord = await file('api-record.json', (await app.inject({ method: 'GET', url: `/audit-events/${target.id}` })).body)
  const badRecord = await file('bad-record.json', JSON.stringify({ ...stored, action: 'user.logout' }))
  const consistency = await file('consistency.json', (await app.inject({ method: 'GET', url: '/proofs/consistency?from=10' })).body)
  const old = await file('old.checkpoint', (await app.inject({ method: 'GET', url: '/checkpoints?size=10' })).json().checkpoints[0].note)

  const lines = tlogText.split('\n')
  const hashLine = lines.findIndex(l => /^[A-Za-z0-9+/]{43}=$/.test(l))
  lines[hashLine] = (lines[hashLine]!.startsWith('A') ? 'B' : 'A') + lines[hashLine]!.slice(1)
  const tampered = await file('tampered.tlog-proof', lines.join('\n'))
  const doc = JSON.parse((await app.inject({ method: 'GET', url: '/proofs/consistency?from=10' })).body)
  doc.proof[0] = Buffer.alloc(32).toString('base64')
  const badConsistency = await file('bad-consistency.json', JSON.stringify(doc))
  const forgedReceipt = await file('forged-receipt.txt', target.receipt.replace(/\n\d{4}-/, '\n2025-'))
  const receiptLines = target.receipt.split('\n')
  t.equal(receiptLines[0], 'audit-service receipt v2')
  t.equal(receiptLines[5], '6 10', 'leaf 6 of the batch request of 10')
  const forgedIndex = await file('forged-index.txt', target.receipt.replace('\n6 10\n', '\n7 10\n'))
  // Issued before v2 for the same test key: still verified.
  const v1Receipt = await file('v1-receipt.txt', 'audit-service receipt v1\naudit-service.local/default\n01a21a5e-22ee-7631-9a4d-dce05455e1eb\n2026-11-27T00:18:26.670Z\nWP6u3nbXc5fGABk5552s3ZmlPs5GpT4M3phrjmgln8U=\n\n\u2014 audit-service 9g5FdS3Um9QkJJiDWO5Fz6YCH0YHUgkC0rid7ycyf/6kxTrtYt96uVweuaNBcnTnalq0bZsQ0JQImg50SGJKmvJCHAM=\n')
  const junk = await file('junk.txt', 'hello')

  const cases: Array<{ name: string, args: string[], status: number, out?: RegExp, process?: true }> = [
    // Inclusion: the tlog-proof file, the JSON answer, with the receipt of the same event.
    { name: 'tlog-proof', process: true, args: [tlog, '--key', key, '--origin', 'audit-service.local/default'], status: 0, out: new RegExp(`^OK: event ${target.id} is seq 7 \\(leaf 6\\) of audit-service\\.local/default at tree size 20`) },
    { name: 'JSON proof answer', args: [proofJson, '--key', key], status: 0, out: /at tree size 10/ },
    { name: 'tlog-proof with its receipt', args: [tlog, '--key', key, '--receipt', receipt, '--record', record], status: 0, out: /it is the record the receipt was issued for/ },
    { name: 'tlog-proof with the 202 answer as receipt', args: [tlog, '--key', key, '--receipt', answer], status: 0, out: /it is the record the receipt was issued for/ },
    { name: 'JSON output', args: [tlog, '--key', key, '--json'], status: 0, out: /^\{"valid":true,"type":"inclusion".*"seq":7,"leaf_index":6,"tree_size":20/ },
    // Tampered proofs, wrong keys, another log, another event's receipt: exit 1.
    { name: 'a tampered proof hash', process: true, args: [tampered, '--key', key], status: 1, out: /FAILED: inclusion proof does not lead/ },
    { name: 'the saved well-known answer (--keys), which pins the origin too', args: [tlog, '--keys', await file('keys.json', keysAnswer)], status: 0, out: /^OK: event .* of audit-service\.local\/default at tree size 20/ },
    { name: 'another tenant\'s saved answer', args: [tlog, '--keys', await file('acme-keys.json', (await app.inject({ method: 'GET', url: '/.well-known/audit-log-keys?tenant=acme' })).body)], status: 1, out: /FAILED: checkpoint: note has no valid signature/ },
    { name: 'the answer without ?tenant (templates only)', args: [tlog, '--keys', await file('templates.json', (await app.inject({ method: 'GET', url: '/.well-known/audit-log-keys' })).body)], status: 2 },
    { name: 'an unknown key', args: [tlog, '--key', stranger], status: 1, out: /FAILED: checkpoint: note has no valid signature/ },
    { name: 'another log', args: [tlog, '--key', key, '--origin', 'audit-service.local/acme'], status: 1, out: /FAILED: checkpoint: origin/ },
    { name: 'another event\'s receipt', args: [tlog, '--key', key, '--receipt', otherReceipt], status: 1, out: /FAILED: receipt: record id/ },
    { name: 'a changed record', args: [tlog, '--key', key, '--record', badRecord], status: 1, out: /FAILED: the record given is not the record in the proof/ },
    // Receipts: alone, from the 202 answer, with the stored record; a changed record fails.
    { name: 'receipt', args: [receipt, '--key', key], status: 0, out: new RegExp(`^OK: receipt of audit-service\\.local/default for event ${target.id}`) },
    { name: 'receipt and record', args: [receipt, '--key', key, '--record', record], status: 0, out: /the record matches it/ },
    { name: '202 answer', process: true, args: [answer, '--key', key, '--json'], status: 0, out: new RegExp(`^\\{"valid":true,"type":"receipt","origin":"audit-service\\.local/default","id":"${target.id}".*"record_matches":false\\}`) },
    { name: '202 answer and record', args: [answer, '--key', key, '--record', record, '--json'], status: 0, out: /^\{"valid":true,"type":"receipt".*"record_matches":true\}/ },
    { name: 'receipt and GET /audit-events/{id}', args: [receipt, '--key', key, '--record', apiRecord], status: 0, out: /the record matches it/ },
    { name: 'receipt and changed record', args: [receipt, '--key', key, '--record', badRecord], status: 1, out: /FAILED: receipt: SHA-256 of the record without seq/ },
    { name: 'receipt, unknown key', args: [receipt, '--key', stranger], status: 1 },
    { name: 'an edited receipt', args: [forgedReceipt, '--key', key], status: 1, out: /FAILED: receipt: receipt inclusion path does not lead to the signed root/ },
    { name: 'a receipt with another leaf index', args: [forgedIndex, '--key', key, '--json'], status: 1, out: /^\{"valid":false,"type":"receipt","error":"receipt: receipt inclusion path does not lead to the signed root/ },
    { name: 'a v1 receipt', args: [v1Receipt, '--key', key, '--key', legacyKey], status: 0, out: /^OK: receipt of audit-service\.local\/default for event 01a21a5e-22ee-7631-9a4d-dce05455e1eb/ },
    // Consistency: against the checkpoint kept at size 10; a tampered proof fails.
    { name: 'consistency', args: [consistency, '--key', key, '--checkpoint', old], status: 0, out: /^OK: audit-service\.local\/default at size 20 extends size 10/ },
    { name: 'tampered consistency', args: [badConsistency, '--key', key, '--checkpoint', old], status: 1, out: /FAILED: INCONSISTENT/ },
    { name: 'consistency, unknown key', args: [consistency, '--key', stranger], status: 1 },
    // Unreadable input is a usage error (2), never a pass.
    { name: 'junk', process: true, args: [junk, '--key', key], status: 2 },
    { name: 'no key', args: [tlog], status: 2 }
  ]
  // A few as real processes (exit codes), the rest in this process.
  const results = await Promise.all(cases.map(c => c.process === true ? cliProcess(c.args) : cli(c.args)))
  cases.forEach((c, i) => {
    const r = results[i]!
    t.equal(r.status, c.status, `${c.name}: exit ${c.status} (${r.stdout}${r.stderr})`)
    if (c.out !== undefined) t.match(r.stdout, c.out, c.name)
  })
})
