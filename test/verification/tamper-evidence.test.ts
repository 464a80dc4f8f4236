import { spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import pg from 'pg'
import t from 'tap'
import { canonicalJson } from '../../src/core/json/index.js'
import { chainHash } from '../../src/core/chain/index.js'
import { parseVerifierKey } from '../../src/core/note/index.js'
import { verifyExport } from '../../src/verification/verify-export.js'
import { buildTestApp, countRows, ROOT, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'

// One log of 60 events with checkpoints at 30 and 60; each tamper is applied the way a
// database administrator could (triggers bypassed), checked, and rolled back from a copy.
t.test('every kind of tampering is caught by GET /verify and by the offline CLI', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  const worker = await startTestWorker(t, config)
  const { openDatabase } = await import('../helper.js')
  const db = openDatabase(t, config.databaseUrl)

  for (const half of [0, 1]) {
    const events = Array.from({ length: 30 }, (_, i) => sampleEvent({ target: { type: 'doc', id: `d${half * 30 + i}` } }))
    t.equal((await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events } })).statusCode, 202)
    await waitFor(async () => await countRows(db) === (half + 1) * 30, { what: `${(half + 1) * 30} rows` })
    t.equal((await app.inject({ method: 'POST', url: '/checkpoints' })).statusCode, 201)
  }

  // Exports and verifications are themselves audited events; with the worker stopped they
  // stay queued, so the log under test does not move.
  await worker.close()
  const keys = (await app.inject({ method: 'GET', url: '/.well-known/audit-log-keys?tenant=default' })).json()
  const verifierKey: string = keys.keys[0].verifier_key
  const verifyApi = async () => (await app.inject({ method: 'GET', url: '/verify' })).json()
  const verifyCli = async () => {
    const res = await app.inject({ method: 'GET', url: '/audit-events/export' })
    t.equal(res.headers['content-type'], 'application/x-ndjson')
    return await verifyExport(Readable.from([res.body]), { verifiers: [parseVerifierKey(verifierKey)], origin: 'audit-service.local/default' })
  }

  const clean = await verifyApi()
  t.same(clean, { valid: true, checked: 60, checkpoints_checked: 2, head: { seq: 60, hash: clean.head.hash }, first_error: null }, 'untouched log verifies')
  t.match(await verifyCli(), { valid: true, checked: 60, checkpoints_checked: 2 })

  // The real CLI process, on a real file, exits 0 on the clean export.
  const file = join(tmpdir(), `audit-export-${process.pid}.ndjson`)
  await writeFile(file, (await app.inject({ method: 'GET', url: '/audit-events/export' })).body)
  const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'verify', file, '--key', verifierKey], { cwd: ROOT, encoding: 'utf8' })
  t.equal(cli.status, 0, cli.stderr)
  t.match(cli.stdout, /^OK: 60 records of audit-service\.local\/default verified, 2 signed checkpoints match/)

  const admin = new pg.Client({ connectionString: config.databaseUrl })
  await admin.connect()
  t.teardown(() => admin.end())
  await admin.query('CREATE TABLE events_copy AS SELECT * FROM audit_events; CREATE TABLE heads_copy AS SELECT * FROM chain_heads; CREATE TABLE checkpoints_copy AS SELECT * FROM checkpoints')
  const asDba = async (fn: () => Promise<unknown>) => {
    await admin.query('BEGIN; SET LOCAL session_replication_role = replica')
    await fn()
    await admin.query('COMMIT')
  }
  const restore = () => asDba(() => admin.query(`
    DELETE FROM audit_events; INSERT INTO audit_events SELECT * FROM events_copy;
    DELETE FROM chain_heads; INSERT INTO chain_heads SELECT * FROM heads_copy;
    DELETE FROM checkpoints; INSERT INTO checkpoints SELECT * FROM checkpoints_copy`))
  const row = async (seq: number) => (await admin.query('SELECT * FROM audit_events WHERE seq = $1', [seq])).rows[0]
  const rewrite = async (seq: number, change: (record: Record<string, unknown>) => void) => {
    const r = await row(seq)
    const record = JSON.parse(r.canonical.toString('utf8'))
    change(record)
    return Buffer.from(canonicalJson(record))
  }

  const tampers: Array<{ name: string, kind: string, seq: number, apply: () => Promise<unknown> }> = [
    {
      name: 'one field of one row\'s stored bytes changed',
      kind: 'content',
      seq: 17,
      apply: async () => {
        const bytes = await rewrite(17, r => { r.action = 'user.logout' })
        await admin.query('UPDATE audit_events SET canonical = $1, record = $2 WHERE seq = 17', [bytes, bytes.toString()])
      }
    },
    {
      name: 'only the jsonb copy changed',
      kind: 'content',
      seq: 23,
      apply: () => admin.query('UPDATE audit_events SET record = jsonb_set(record, \'{outcome}\', \'"failure"\') WHERE seq = 23')
    },
    { name: 'a middle row deleted', kind: 'gap', seq: 40, apply: () => admin.query('DELETE FROM audit_events WHERE seq = 40') },
    {
      name: 'two rows\' seq swapped',
      kind: 'order',
      seq: 10,
      apply: () => admin.query('UPDATE audit_events SET seq = 1000 WHERE seq = 10; UPDATE audit_events SET seq = 10 WHERE seq = 11; UPDATE audit_events SET seq = 11 WHERE seq = 1000')
    },
    {
      name: 'a forged row with a correct-looking hash',
      kind: 'link',
      seq: 46,
      apply: async () => {
        const bytes = await rewrite(45, r => { (r.actor as Record<string, unknown>).id = 'mallory' })
        const prev = (await row(45)).prev_hash
        await admin.query('UPDATE audit_events SET canonical = $1, record = $2, hash = $3 WHERE seq = 45', [bytes, bytes.toString(), chainHash(prev, bytes)])
      }
    },
    {
      name: 'the last rows deleted (truncation below the latest checkpoint)',
      kind: 'truncated',
      seq: 51,
      apply: () => admin.query('DELETE FROM audit_events WHERE seq > 50; UPDATE chain_heads SET size = 50, head_hash = (SELECT hash FROM audit_events WHERE seq = 50)')
    },
    {
      name: 'the whole chain recomputed after an edit, without the signing key',
      kind: 'root',
      seq: 30,
      apply: async () => {
        let prev = (await row(4)).hash
        for (let seq = 5; seq <= 60; seq++) {
          const bytes = await rewrite(seq, r => { if (seq === 5) r.outcome = 'failure' })
          const hash = chainHash(prev, bytes)
          await admin.query('UPDATE audit_events SET canonical = $1, record = $2, prev_hash = $3, hash = $4 WHERE seq = $5', [bytes, bytes.toString(), prev, hash, seq])
          prev = hash
        }
        await admin.query('UPDATE chain_heads SET head_hash = $1', [prev])
      }
    },
    {
      name: 'a checkpoint\'s signature replaced',
      kind: 'signature',
      seq: 30,
      apply: async () => {
        const { rows: [c] } = await admin.query('SELECT note FROM checkpoints WHERE size = 30')
        const forged = (c.note as string).replace(/ (\S+)\n$/, (_m, sig: string) => ` ${Buffer.from(Buffer.from(sig, 'base64').map((b, i) => i > 4 ? b ^ 0xff : b)).toString('base64')}\n`)
        await admin.query('UPDATE checkpoints SET note = $1 WHERE size = 30', [forged])
      }
    }
  ]

  for (const tamper of tampers) {
    await asDba(tamper.apply)
    const api = await verifyApi()
    t.match(api, { valid: false, first_error: { kind: tamper.kind, seq: tamper.seq } }, `GET /verify catches: ${tamper.name} (${JSON.stringify(api.first_error)})`)
    const offline = await verifyCli()
    t.match(offline, { valid: false, first_error: { kind: tamper.kind, seq: tamper.seq } }, `the CLI catches: ${tamper.name} (${JSON.stringify(offline.first_error)})`)
    await restore()
    t.match(await verifyApi(), { valid: true, checked: 60 }, `restored after: ${tamper.name}`)
  }

  // The CLI process exits non-zero on a tampered export.
  await asDba(() => admin.query('DELETE FROM audit_events WHERE seq = 40'))
  await writeFile(file, (await app.inject({ method: 'GET', url: '/audit-events/export' })).body)
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'verify', file, '--key', verifierKey], { cwd: ROOT, encoding: 'utf8' })
  t.equal(bad.status, 1)
  t.match(bad.stdout, /^FAILED at seq 40: gap/)
})

t.test('the append-only triggers refuse UPDATE, DELETE and TRUNCATE', async t => {
  const config = await testConfig(t)
  const client = new pg.Client({ connectionString: config.databaseUrl })
  await client.connect()
  t.teardown(() => client.end())
  // Row triggers fire only for rows that exist.
  await client.query('INSERT INTO checkpoints (tenant, size, root_hash, note) VALUES (\'x\', 1, $1, \'n\')', [Buffer.alloc(32)])
  await client.query(`INSERT INTO audit_events (tenant, seq, id, prev_hash, hash, canonical, record, content_digest, tree_nodes, occurred_at, received_at, action, actor_type, actor_id)
    VALUES ('x', 1, gen_random_uuid(), $1, $1, '\\x7b7d', '{}', $1, $1, now(), now(), 'a', 'u', '1')`, [Buffer.alloc(32)])
  // CASCADE: the cosignatures' foreign key would refuse a plain TRUNCATE before the trigger runs.
  for (const statement of ['UPDATE checkpoints SET note = \'m\'', 'DELETE FROM checkpoints', 'TRUNCATE checkpoints CASCADE', 'TRUNCATE checkpoint_cosignatures', 'UPDATE audit_events SET action = \'x\'', 'DELETE FROM audit_events', 'TRUNCATE audit_events']) {
    await t.rejects(client.query(statement), { message: /append-only/ }, statement)
  }
})
