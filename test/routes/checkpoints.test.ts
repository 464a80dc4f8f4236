import { createPublicKey, verify } from 'node:crypto'
import t from 'tap'
import { parseCheckpoint } from '../../src/core/checkpoint/index.js'
import { CompactRange, leafHash } from '../../src/core/merkle/index.js'
import { openNote, parseVerifierKey } from '../../src/core/note/index.js'
import { buildTestApp, countRows, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'

t.test('the worker signs checkpoints as the tree grows; the API serves them', async t => {
  const config = await testConfig(t, { CHECKPOINT_INTERVAL_SECONDS: '1', LOG_ORIGIN: 'audit.example.com' })
  const app = await buildTestApp(t, config)
  const db = openDatabase(t, config.databaseUrl)

  t.equal((await app.inject({ method: 'GET', url: '/checkpoints/latest' })).statusCode, 404, 'no checkpoint before any event')
  t.equal((await app.inject({ method: 'POST', url: '/checkpoints?tenant=acme' })).statusCode, 404, 'nothing to sign for an empty log')

  await startTestWorker(t, config)
  const events = Array.from({ length: 10_000 }, (_, i) => sampleEvent({ target: { type: 'doc', id: `d${i}` } }))
  for (let i = 0; i < events.length; i += 1000) {
    const res = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: events.slice(i, i + 1000) } })
    t.equal(res.statusCode, 202)
  }
  await waitFor(async () => await countRows(db) === 10_000, { timeoutMs: 60_000, what: '10,000 rows' })
  const latest = await waitFor(async () => {
    const res = await app.inject({ method: 'GET', url: '/checkpoints/latest?format=json' })
    return res.statusCode === 200 && res.json().size === 10_000 ? res.json() : undefined
  }, { what: 'a checkpoint at size 10,000 signed by the worker' })

  // The published key verifies the note; the root is the RFC 6962 root of the stored bytes.
  const keys = (await app.inject({ method: 'GET', url: '/.well-known/audit-log-keys?tenant=default' })).json()
  t.match(keys.keys[0].verifier_key, /^audit\.example\.com\/default\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/)
  t.equal(keys.origin_prefix, 'audit.example.com')
  const text = await app.inject({ method: 'GET', url: '/checkpoints/latest' })
  t.equal(text.headers['content-type'], 'text/plain; charset=utf-8')
  t.equal(text.body, latest.note)
  const opened = openNote(text.body, [parseVerifierKey(keys.keys[0].verifier_key)])
  const body = parseCheckpoint(opened.text)
  t.equal(body.origin, 'audit.example.com/default')
  t.equal(body.size, 10_000)
  const range = CompactRange.empty()
  const rows = await db.selectFrom('audit_events').select('canonical').where('tenant', '=', 'default').orderBy('seq').execute()
  for (const row of rows) range.append(leafHash(row.canonical))
  t.equal(body.rootHash.toString('base64'), range.root().toString('base64'))
  t.equal(latest.root_hash, range.root().toString('base64'))

  // Signature line as C2SP specifies: em dash, key name, base64(key id || Ed25519 signature).
  const sigLine = text.body.split('\n').at(-2)!
  const [dash, name, sig] = sigLine.split(' ')
  t.equal(dash, '\u2014')
  t.equal(name, 'audit.example.com/default', 'the key is named after the log\'s origin')
  const raw = Buffer.from(sig!, 'base64')
  t.equal(raw.length, 68)
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: parseVerifierKey(keys.keys[0].verifier_key).publicKey.toString('base64url') }, format: 'jwk' })
  t.ok(verify(null, Buffer.from(opened.text), publicKey, raw.subarray(4)), 'Ed25519 signature over the checkpoint text')

  const bySize = await app.inject({ method: 'GET', url: '/checkpoints?size=10000' })
  t.equal(bySize.statusCode, 200)
  t.equal(bySize.json().checkpoints[0].note, latest.note)
  t.equal((await app.inject({ method: 'GET', url: '/checkpoints?size=3' })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/checkpoints?tenant=bad tenant' })).statusCode, 400)

  // Signing again at the same size returns the same checkpoint, never a second root.
  const again = await app.inject({ method: 'POST', url: '/checkpoints' })
  t.equal(again.statusCode, 201)
  t.equal(again.json().note, latest.note)
  const count = await db.selectFrom('checkpoints').select(eb => eb.fn.countAll<string>().as('n')).where('size', '=', 10_000).executeTakeFirstOrThrow()
  t.equal(Number(count.n), 1)

  const verified = await app.inject({ method: 'GET', url: '/verify' })
  t.match(verified.json(), { valid: true, checked: 10_000, first_error: null })
  t.ok(verified.json().checkpoints_checked >= 1)
  const range2 = await app.inject({ method: 'GET', url: '/verify?from_seq=5001&to_seq=10000' })
  t.match(range2.json(), { valid: true, checked: 5000, head: { seq: 10_000 } }, 'a range verifies from the stored frontier')
})
