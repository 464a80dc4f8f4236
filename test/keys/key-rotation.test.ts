import { randomBytes } from 'node:crypto'
import { writeFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import t from 'tap'
import { ConfigError, loadConfig, type Config } from '../../src/config.js'
import { formatCheckpoint } from '../../src/core/checkpoint/index.js'
import { signNote } from '../../src/core/note/index.js'
import { createLogger } from '../../src/logger.js'
import { loadSigningKeys } from '../../src/plugins/load-signing-key.js'
import { freePort } from '../faults/free-port.js'
import { buildTestApp, countRows, openDatabase, runCli, sampleEvent, startTestWorker, testConfig, testPrivateKey, TEST_SIGNING_SEED, waitFor } from '../helper.js'

const KEY_B = randomBytes(32).toString('hex')
const signatureLines = (note: string) => note.slice(note.lastIndexOf('\n\n') + 2).split('\n').slice(0, -1)

// One log through its whole key history: notes signed under the legacy name (before keys were
// named after origins), then key A under the origin's name, then A and B together (the
// overlap), then B alone. Each phase restarts the API and the worker with the new
// configuration while events flow; at the end the whole log verifies, in the API, offline and
// in the worker's background verifier, and /.well-known lists every key with its validity.
t.test('a key rotation while events flow: the whole log verifies across it', async t => {
  const base = await testConfig(t, { CHECKPOINT_INTERVAL_SECONDS: '3600', VERIFY_INTERVAL_SECONDS: '0' })
  const db = openDatabase(t, base.databaseUrl)
  let total = 0
  const phase = async (name: string, config: Config, events: number) => {
    const app = await buildTestApp(t, config)
    const worker = await startTestWorker(t, config)
    const batch = Array.from({ length: events }, (_, i) => sampleEvent({ target: { type: 'doc', id: `${name}-${i}` } }))
    t.equal((await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: batch } })).statusCode, 202)
    total += events
    await waitFor(async () => await countRows(db) === total, { what: `${total} rows (${name})` })
    const checkpoint = await app.inject({ method: 'POST', url: '/checkpoints' })
    t.equal(checkpoint.statusCode, 201, `${name}: checkpoint signed`)
    const keys = (await app.inject({ method: 'GET', url: '/.well-known/audit-log-keys?tenant=default' })).json()
    await worker.close()
    await app.close()
    return { note: checkpoint.json().note as string, keys }
  }

  // Before the upgrade: one name for every log. Simulated: the events appended, a checkpoint
  // signed under SIGNING_KEY_NAME, and no record of keys (the table came with the upgrade).
  const legacyApp = await buildTestApp(t, base)
  const legacyWorker = await startTestWorker(t, base)
  const legacyEvents = Array.from({ length: 5 }, (_, i) => sampleEvent({ target: { type: 'doc', id: `legacy-${i}` } }))
  t.equal((await legacyApp.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: legacyEvents } })).statusCode, 202)
  total = 5
  await waitFor(async () => await countRows(db) === 5, { what: '5 legacy rows' })
  await legacyWorker.close()
  await legacyApp.close()
  const head = await db.selectFrom('chain_heads').selectAll().where('tenant', '=', 'default').executeTakeFirstOrThrow()
  const legacyNote = signNote(formatCheckpoint({ origin: 'audit-service.local/default', size: head.size, rootHash: head.root_hash }), { name: 'audit-service', privateKey: await testPrivateKey() })
  await db.insertInto('checkpoints').values({ tenant: 'default', size: head.size, root_hash: head.root_hash, note: legacyNote }).execute()
  const admin = new pg.Client({ connectionString: base.databaseUrl })
  await admin.connect()
  t.teardown(() => admin.end())
  await admin.query('BEGIN; SET LOCAL session_replication_role = replica; DELETE FROM log_keys; COMMIT')

  const withA = await phase('A', base, 7)
  t.same(signatureLines(withA.note).map(l => l.split(' ')[1]), ['audit-service.local/default'], 'A signs under the origin\'s name')
  t.same(withA.keys.keys.map((k: { status: string }) => k.status), ['active', 'legacy'], 'the upgrade recorded A as the legacy key too')

  const overlap = await phase('A+B', { ...base, signingKeyNext: KEY_B }, 6)
  t.equal(signatureLines(overlap.note).length, 2, 'the overlap\'s checkpoint carries both signatures')
  t.same(overlap.keys.keys.map((k: { status: string }) => k.status), ['active', 'next', 'legacy'])
  const nextKey = overlap.keys.keys[1].verifier_key as string

  const withB = await phase('B', { ...base, signingKey: KEY_B }, 8)
  t.equal(signatureLines(withB.note).length, 1)
  t.equal(Buffer.from(signatureLines(withB.note)[0]!.split(' ')[2]!, 'base64').subarray(0, 4).toString('hex'), nextKey.split('+')[1], 'signed by B, the former next key')

  // Every checkpoint of the overlap (worker's or API's) carries two signatures.
  const stored = await db.selectFrom('checkpoints').select(['size', 'note']).where('tenant', '=', 'default').orderBy('size').execute()
  t.same(stored.map(c => signatureLines(c.note).length), [1, 1, 2, 1], 'legacy, A, A+B, B')

  // The service after the rotation: B active, A retired, A's legacy name kept.
  const final = { ...base, signingKey: KEY_B, verifyIntervalSeconds: 1, verifyPagesPerRun: 100, workerMetricsPort: await freePort() }
  const app = await buildTestApp(t, final)
  const published = (await app.inject({ method: 'GET', url: '/.well-known/audit-log-keys?tenant=default' })).json()
  t.same(published.keys.map((k: { name: string, status: string }) => [k.name, k.status]), [
    ['audit-service.local/default', 'active'],
    ['audit-service.local/default', 'retired'],
    ['audit-service', 'legacy']
  ])
  t.ok(published.keys.every((k: { valid_from: string | null }) => typeof k.valid_from === 'string'), 'every key has its start')
  t.equal(published.keys[0].valid_until, null)
  t.ok(Date.parse(published.keys[1].valid_until) >= Date.parse(published.keys[1].valid_from), 'the retired key\'s last signature')
  t.equal(published.keys[2].valid_until, published.keys[1].valid_from, 'legacy until A was named after the origin')
  const templates = (await app.inject({ method: 'GET', url: '/.well-known/audit-log-keys' })).json()
  t.same(templates.keys.map((k: { name: string }) => k.name), ['audit-service.local/<tenant>', 'audit-service.local/<tenant>', 'audit-service'], 'no tenant named without ?tenant')

  const verified = (await app.inject({ method: 'GET', url: '/verify' })).json()
  t.match(verified, { valid: true, checked: total, checkpoints_checked: 4, first_error: null }, 'GET /verify across the rotation')

  const file = join(tmpdir(), `audit-rotation-${process.pid}.ndjson`)
  t.teardown(() => rm(file, { force: true }))
  await writeFile(file, (await app.inject({ method: 'GET', url: '/audit-events/export' })).body)
  const keyArgs = published.keys.flatMap((k: { verifier_key: string }) => ['--key', k.verifier_key])
  const cli = await runCli('verify', [file, ...keyArgs, '--origin', 'audit-service.local/default'])
  t.equal(cli.status, 0, cli.stderr)
  t.match(cli.stdout, new RegExp(`^OK: ${total} records of audit-service\\.local/default verified, 4 signed checkpoints match`))
  // The same with the saved answer of /.well-known/audit-log-keys?tenant=default.
  const keysFile = join(tmpdir(), `audit-rotation-keys-${process.pid}.json`)
  t.teardown(() => rm(keysFile, { force: true }))
  await writeFile(keysFile, JSON.stringify(published))
  const withKeysFile = await runCli('verify', [file, '--keys', keysFile])
  t.equal(withKeysFile.status, 0, withKeysFile.stderr)
  t.match(withKeysFile.stdout, /^OK: /)
  const legacyOnly = await runCli('verify', [file, '--key', published.keys[2].verifier_key])
  t.equal(legacyOnly.status, 1, 'the legacy key alone opens only the legacy checkpoint')
  const other = await runCli('verify', [file, '--key', (await app.inject({ method: 'GET', url: '/.well-known/audit-log-keys?tenant=other' })).json().keys[0].verifier_key])
  t.equal(other.status, 1, 'another tenant\'s key opens none of them')

  await startTestWorker(t, final)
  await waitFor(async () => {
    const body = await (await fetch(`http://127.0.0.1:${final.workerMetricsPort}/metrics`)).text()
    return body.includes(`audit_verified_log_size{tenant="default"} ${total}`) ? body : undefined
  }, { what: 'the background verifier through the whole log' }).then(body => {
    t.match(body, /audit_last_verification_valid\{tenant="default"\} 1/, 'the background verifier accepts every key of the history')
  })
})

t.test('invalid key combinations are refused at start', async t => {
  t.throws(() => loadConfig({ SIGNING_KEY_NEXT: KEY_B }), ConfigError, 'a next key without a configured current key')
  t.throws(() => loadConfig({ SIGNING_KEY: TEST_SIGNING_SEED, SIGNING_KEY_NEXT: KEY_B, SIGNING_KEY_NEXT_FILE: '/k' }), ConfigError)
  t.throws(() => loadConfig({ SIGNING_KEY: TEST_SIGNING_SEED, SIGNING_KEY_NEXT: TEST_SIGNING_SEED }), ConfigError, 'the same key twice')
  t.throws(() => loadConfig({ SIGNING_KEY: TEST_SIGNING_SEED, SIGNING_KEY_FILE: '/k' }), ConfigError)
  // The same key in two encodings: found once both are loaded.
  const base64Seed = Buffer.from(TEST_SIGNING_SEED, 'hex').toString('base64')
  await t.rejects(loadSigningKeys({ name: 'audit-service', key: TEST_SIGNING_SEED, nextKey: base64Seed, devKeyDir: '/nonexistent', logger: createLogger('silent', 'test') }), ConfigError)
  const cli = await runCli('worker', [], { SIGNING_KEY_NEXT: KEY_B, SIGNING_KEY: '', SIGNING_KEY_FILE: '' })
  t.equal(cli.status, 78)
  t.equal(cli.stderr.trim().split('\n').length, 1, cli.stderr)
})
