import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import t from 'tap'
import { formatCheckpoint } from '../../src/core/checkpoint/index.js'
import { signNote } from '../../src/core/note/index.js'
import { witness as runWitness } from '../../src/commands/witness.js'
import { buildTestApp, countRows, openDatabase, sampleEvent, startTestWorker, TEST_ADMIN_KEY, testPrivateKey, testConfig, waitFor, runCli } from '../helper.js'

/** The command in this process, its output captured. */
async function witness (args: string[]): Promise<{ status: number | null, stdout: string, stderr: string }> {
  let stdout = ''
  let stderr = ''
  const status = await runWitness([...args, '--api-key', TEST_ADMIN_KEY], { out: s => { stdout += s }, err: s => { stderr += s } })
  return { status, stdout, stderr }
}

/** The real CLI process. */
const witnessProcess = (args: string[]) => runCli('witness', args, { AUDIT_API_KEY: TEST_ADMIN_KEY })

t.test('witness --once: stores the first checkpoint, accepts growth, alarms on a fork and a rollback', async t => {
  const config = await testConfig(t, { CHECKPOINT_INTERVAL_SECONDS: '3600' })
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const dir = await mkdtemp(join(tmpdir(), 'witness-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const state = join(dir, 'state.json')
  const key = (await app.inject({ method: 'GET', url: '/.well-known/audit-log-keys?tenant=default' })).json().keys[0].verifier_key as string
  const args = ['--url', url, '--key', key, '--state', state, '--once']
  const readState = async () => JSON.parse(await readFile(state, 'utf8'))

  const grow = async (to: number) => {
    const events = Array.from({ length: to - await countRows(db) }, (_, i) => sampleEvent({ target: { type: 'doc', id: `d${to}-${i}` } }))
    t.equal((await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events } })).statusCode, 202)
    await waitFor(async () => await countRows(db) === to, { what: `${to} rows` })
  }

  let res = await witness(args)
  t.equal(res.status, 2, 'no checkpoint yet: cannot check, which is not an alarm')
  t.match(res.stderr, /cannot check now: GET \/checkpoints\/latest: HTTP 404/)

  await grow(10)
  t.equal((await app.inject({ method: 'POST', url: '/checkpoints' })).statusCode, 201)
  res = await witness(args)
  t.equal(res.status, 0, res.stdout + res.stderr)
  t.match(res.stdout, /witness: audit-service\.local\/default: first checkpoint, size 10/)
  t.match(await readState(), { origin: 'audit-service.local/default', size: 10 })

  res = await witness(args)
  t.equal(res.status, 0, res.stdout + res.stderr)
  t.match(res.stdout, /unchanged at size 10/)

  // The tenant's saved /.well-known answer as --keys; another tenant's keys refuse the checkpoint.
  const keysOf = async (tenant: string) => {
    const path = join(dir, `${tenant}-keys.json`)
    await writeFile(path, (await app.inject({ method: 'GET', url: `/.well-known/audit-log-keys?tenant=${tenant}` })).body)
    return path
  }
  res = await witness(['--url', url, '--keys', await keysOf('default'), '--state', join(dir, 'keys-state.json'), '--once'])
  t.equal(res.status, 0, res.stdout + res.stderr)
  t.match(res.stdout, /audit-service\.local\/default: first checkpoint, size 10/)
  res = await witness(['--url', url, '--keys', await keysOf('acme'), '--state', join(dir, 'acme-state.json'), '--once'])
  t.not(res.status, 0, 'acme\'s key does not open default\'s checkpoint')
  t.match(res.stdout + res.stderr, /no valid signature from a trusted key/)

  await grow(25)
  t.equal((await app.inject({ method: 'POST', url: '/checkpoints' })).statusCode, 201)
  res = await witness(args)
  t.equal(res.status, 0, res.stdout + res.stderr)
  t.match(res.stdout, /grew from 10 to 25, consistent/)
  const good = await readState()
  t.match(good, { size: 25 })

  // The operator (who holds the key) signs a tree at 40 that does not extend the one at 25,
  // writing it past the append-only triggers as a DBA could.
  await grow(40)
  const admin = new pg.Client({ connectionString: config.databaseUrl })
  await admin.connect()
  t.teardown(() => admin.end())
  const forgedRoot = randomBytes(32)
  const forged = signNote(formatCheckpoint({ origin: 'audit-service.local/default', size: 40, rootHash: forgedRoot }), { name: 'audit-service.local/default', privateKey: await testPrivateKey() })
  await admin.query('BEGIN; SET LOCAL session_replication_role = replica')
  await admin.query('INSERT INTO checkpoints (tenant, size, root_hash, note) VALUES ($1, $2, $3, $4)', ['default', 40, forgedRoot, forged])
  await admin.query('COMMIT')
  res = await witnessProcess(args) // the real process: exit code 1
  t.equal(res.status, 1, res.stdout + res.stderr)
  t.match(res.stderr, /witness: ALARM audit-service\.local\/default: INCONSISTENT: the signed tree of size 40 does not extend the signed tree of size 25/)
  t.same(await readState(), good, 'the state keeps the last good checkpoint')
  const evidence = JSON.parse(await readFile(`${state}.alarm.json`, 'utf8'))
  t.match(evidence, { reason: /INCONSISTENT/, note: forged, last: { size: 25 }, proof: { from: 25, to: 40 } })

  // Rollback: the checkpoints above 10 vanish; the log's latest is now smaller than seen.
  // (Run alongside: a tenant with no checkpoint, and a pinned origin the log does not have.)
  await admin.query('BEGIN; SET LOCAL session_replication_role = replica')
  await admin.query('DELETE FROM checkpoints WHERE size > 10')
  await admin.query('COMMIT')
  const [rollback, acme, elsewhere] = await Promise.all([
    witness(args),
    witness(['--url', url, '--key', key, '--state', join(dir, 'acme.json'), '--once', '--tenant', 'acme']),
    witness(['--url', url, '--key', key, '--state', join(dir, 'pinned.json'), '--once', '--origin', 'audit-service.local/acme'])
  ])
  t.equal(rollback.status, 1, rollback.stdout + rollback.stderr)
  t.match(rollback.stderr, /ALARM .*the log shrank: its latest checkpoint has size 10, it signed size 25 before/)
  t.equal(acme.status, 2, 'acme has no checkpoint: not an alarm')
  t.equal(elsewhere.status, 1, 'a checkpoint of another log than the pinned one is an alarm')
  t.match(elsewhere.stderr, /ALARM .*origin "audit-service\.local\/default" is not "audit-service\.local\/acme"/)
})
