import { generateKeyPairSync } from 'node:crypto'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { formatCosignatureVerifierKey, publicKeyBytes } from '../../src/core/note/index.js'
import { cosignCheckpoint, parseAddCheckpointRequest, type AddCheckpointRequest } from '../../src/core/witness/index.js'
import { createLogger } from '../../src/logger.js'
import { PgCosignatureStore } from '../../src/store/pg-cosignature-store.js'
import { PgLogReader } from '../../src/store/pg-log-reader.js'
import { CheckpointWitnessing, type WitnessOutcome } from '../../src/witnessing/checkpoint-witnessing.js'
import { parseWitnesses } from '../../src/witnessing/parse-witnesses.js'
import { buildTestApp, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'

const NAME = 'w.example/witness'
const keyPair = () => generateKeyPairSync('ed25519')

/**
 * A tiny real HTTP server standing for one witness: `answer` sees each parsed request and
 * answers as the test needs (a real witness is in log-cosigning.test.ts; these are the answers
 * it gives rarely or never).
 */
async function fakeWitness (t: Test, answer: (request: AddCheckpointRequest, res: ServerResponse) => void) {
  const requests: AddCheckpointRequest[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => { body += d.toString() })
    req.on('end', () => {
      const request = parseAddCheckpointRequest(body)
      requests.push(request)
      answer(request, res)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }
}

const body = (note: string) => note.slice(0, note.lastIndexOf('\n\n') + 1)

// One log with a checkpoint at size 6 (signed by the real worker), witnessed by CheckpointWitnessing
// rounds run by hand against witnesses that answer each way the spec allows, and some it does not.
t.test('each answer of a witness is handled as the spec says, and only verified cosignatures are stored', async t => {
  const config = await testConfig(t, { CHECKPOINT_INTERVAL_SECONDS: '1', VERIFY_INTERVAL_SECONDS: '0' })
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  t.equal((await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: Array.from({ length: 6 }, () => sampleEvent({ tenant: 'acme' })) } })).statusCode, 202)
  await waitFor(async () => (await app.inject({ method: 'GET', url: '/checkpoints/latest?tenant=acme&format=json' })).json().size === 6, { what: 'acme signed at size 6' })

  const store = new PgCosignatureStore(db)
  const reader = new PgLogReader(db)
  const witnessKey = keyPair()
  const otherKey = keyPair()
  const verifierKey = formatCosignatureVerifierKey(NAME, publicKeyBytes(witnessKey.publicKey))
  const run = async (url: string) => {
    const [witness] = parseWitnesses(`${verifierKey} ${url}`)
    const outcomes: WitnessOutcome[] = []
    const witnessing = new CheckpointWitnessing({
      witnesses: [witness!],
      store,
      nodesOf: tenant => nodes => reader.nodes(tenant, nodes),
      timeoutMs: 2000,
      logger: createLogger('silent', 'test'),
      onOutcome: (_w, outcome) => outcomes.push(outcome)
    })
    await witnessing.round()
    await witnessing.round() // at once: a failed witness is not asked again before its back-off
    return { witness: witness!, outcomes }
  }
  const stored = async () => await db.selectFrom('checkpoint_cosignatures').selectAll().execute()
  const sizeOf = async (witness: string) => (await db.selectFrom('witness_sizes').select('size').where('witness', '=', witness).executeTakeFirst())?.size

  // 403, 404, 422, 500: counted and logged as what they are, nothing stored, no retry at once.
  for (const [status, outcome] of [[403, 'forbidden'], [404, 'unknown_origin'], [422, 'bad_proof'], [500, 'failed']] as const) {
    const w = await fakeWitness(t, (_req, res) => { res.writeHead(status).end('no\n') })
    const { outcomes } = await run(w.url)
    t.same(outcomes, [outcome], `${status}: ${outcome}, once in two rounds`)
    t.equal(w.requests.length, 1)
    t.match(w.requests[0], { oldSize: 0, proof: [] }, 'a first request: old 0, no proof')
  }
  t.same(await stored(), [])

  // A 200 whose line is signed by another key under the witness's name, or by the witness's key
  // over another checkpoint: not stored. The witness did record the size, so it is remembered.
  for (const [what, sign] of [
    ['another key', (note: string) => cosignCheckpoint(body(note), { name: NAME, privateKey: otherKey.privateKey }, 1_700_000_000)],
    ['another checkpoint', (note: string) => cosignCheckpoint(body(note).replace('\n6\n', '\n7\n'), { name: NAME, privateKey: witnessKey.privateKey }, 1_700_000_000)],
    // A valid signature, but a time no date holds (past year 275760; the spec allows up to 2^63 - 1).
    ['a time no date holds', (note: string) => cosignCheckpoint(body(note), { name: NAME, privateKey: witnessKey.privateKey }, 2 ** 52)]
  ] as const) {
    const w = await fakeWitness(t, (req, res) => { res.writeHead(200).end(sign(req.note)) })
    const { witness, outcomes } = await run(w.url)
    t.same(outcomes, ['bad_cosignature'], what)
    t.same(await stored(), [], `${what}: nothing stored`)
    t.equal(await sizeOf(witness.id), 6)
  }

  // 409 stating a size beyond the checkpoint (a fork the witness saw, or a newer checkpoint):
  // remembered, not retried; the next round skips the checkpoint the witness is past.
  let w = await fakeWitness(t, (_req, res) => { res.writeHead(409, { 'content-type': 'text/x.tlog.size' }).end('9\n') })
  let result = await run(w.url)
  t.same(result.outcomes, ['conflict'])
  t.equal(w.requests.length, 1, 'no retry from a size past the checkpoint')
  t.equal(await sizeOf(result.witness.id), 9)

  // 409 stating a smaller size: one retry, with a proof from it, then cosigned and stored.
  await db.deleteFrom('witness_sizes').execute()
  w = await fakeWitness(t, (req, res) => {
    if (req.oldSize !== 2) res.writeHead(409, { 'content-type': 'text/x.tlog.size' }).end('2\n')
    else res.writeHead(200).end(`— other.example/w AAAA\n${cosignCheckpoint(body(req.note), { name: NAME, privateKey: witnessKey.privateKey }, 1_700_000_000)}`)
  })
  result = await run(w.url)
  t.same(result.outcomes, ['conflict', 'cosigned'])
  t.same(w.requests.map(r => [r.oldSize, r.proof.length]), [[0, 0], [2, 2]], 'the retry carries the consistency proof from 2 to 6')
  const rows = await stored()
  t.equal(rows.length, 1)
  t.match(rows[0], { tenant: 'acme', size: 6, witness: result.witness.id, signature_line: new RegExp(`^— ${NAME} `) })
  t.equal(rows[0]!.cosigned_at.getTime(), 1_700_000_000_000, 'the time the cosignature states')
  t.equal(await sizeOf(result.witness.id), 6)
  const served = (await app.inject({ method: 'GET', url: '/checkpoints/latest?tenant=acme' })).body
  t.ok(served.endsWith(`\n${rows[0]!.signature_line}\n`), 'served with the note')
  t.notMatch(served, /other\.example/, 'a line of another key in the answer is not kept')

  // Cosignatures are evidence: even the tables' owner cannot change or remove one.
  await t.rejects(db.updateTable('checkpoint_cosignatures').set({ signature_line: 'x' }).execute(), /append-only/)
  await t.rejects(db.deleteFrom('checkpoint_cosignatures').execute(), /append-only/)
})
