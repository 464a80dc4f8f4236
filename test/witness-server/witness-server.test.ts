import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { verifyConsistency } from '../../src/core/merkle/index.js'
import { formatCosignatureVerifierKey, openNote, parseCosignatureVerifierKey, parseVerifierKey, publicKeyBytes } from '../../src/core/note/index.js'
import { formatAddCheckpointRequest, openCosignatures, verifyCosignature } from '../../src/core/witness/index.js'
import { buildWitnessApp } from '../../src/witness-server/build-witness-app.js'
import { Witness, type WitnessedLog } from '../../src/witness-server/witness.js'
import { WitnessStore } from '../../src/witness-server/witness-store.js'
import { leafData } from '../core/helpers/memory-tree.js'
import { addCheckpoint, TestLog } from './test-log.js'

interface RunningWitness {
  url: string
  name: string
  verifierKey: string
  dir: string
  store: WitnessStore
  close: () => Promise<void>
}

/** A witness over real HTTP on loopback, its state in its own directory. */
async function startWitness (t: Test, name: string, logs: TestLog[], dir?: string): Promise<RunningWitness> {
  const stateDir = dir ?? await mkdtemp(join(tmpdir(), 'witness-state-'))
  if (dir === undefined) t.teardown(() => rm(stateDir, { recursive: true, force: true }))
  const { privateKey } = generateKeyPairSync('ed25519')
  const store = await WitnessStore.open(stateDir)
  const witnessed: WitnessedLog[] = logs.map(log => ({ origin: log.origin, verifiers: [parseVerifierKey(log.verifierKey)] }))
  const app = await buildWitnessApp({ witness: new Witness({ signer: { name, privateKey }, logs: witnessed, store }) })
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  let closed = false
  const close = async () => { if (!closed) { closed = true; await app.close() } }
  t.teardown(close)
  return { url, name, verifierKey: formatCosignatureVerifierKey(name, publicKeyBytes(privateKey)), dir: stateDir, store, close }
}

/** Every state file's bytes: a refusal must leave them as they were. */
async function snapshot (dir: string): Promise<Record<string, string>> {
  const files = (await readdir(dir)).filter(f => f.endsWith('.json')).sort()
  return Object.fromEntries(await Promise.all(files.map(async f => [f, await readFile(join(dir, f), 'utf8')] as const)))
}

t.test('two witnesses cosign a growing log; the cosigned checkpoint verifies with their keys alone', async t => {
  const log = new TestLog('example.org/any-c2sp-log').grow(100)
  const w1 = await startWitness(t, 'witness.test/w1', [log])
  const w2 = await startWitness(t, 'witness.test/w2', [log])
  const w1Key = parseCosignatureVerifierKey(w1.verifierKey)
  const w2Key = parseCosignatureVerifierKey(w2.verifierKey)

  let old = 0
  for (const size of [1, 2, 7, 8, 64, 100]) {
    let note = log.note(size)
    for (const w of [w1, w2]) {
      const answer = await addCheckpoint(w.url, await log.request(old, size))
      t.equal(answer.status, 200, `${w.name} cosigns size ${size}: ${answer.text}`)
      t.match(answer.type, /^text\/plain/)
      t.match(answer.text, new RegExp(`^\u2014 ${w.name.replace(/\./g, '\\.')} [A-Za-z0-9+/]+=*\n$`))
      note += answer.text
    }
    // A client knowing only the spec and the witnesses' verifier keys:
    const opened = openCosignatures(note, [w1Key, w2Key])
    t.same(opened.cosignatures.map(c => c.name), [w1.name, w2.name], `size ${size}: both cosignatures verify`)
    t.equal(opened.text, log.body(size))
    t.equal(openNote(note, [parseVerifierKey(log.verifierKey)]).text, log.body(size), 'and the log\'s own signature still opens the note')
    old = size
  }
  for (const w of [w1, w2]) {
    const state = await w.store.read(log.origin)
    t.match(state, { origin: log.origin, size: 100, root_hash: log.roots[100]!.toString('base64'), note: log.note(100) })
  }

  // Submitting the recorded checkpoint again is answered with a fresh cosignature.
  const again = await addCheckpoint(w1.url, await log.request(100, 100))
  t.equal(again.status, 200)
  t.ok(verifyCosignature(log.body(100), again.text, w1Key).timestamp > 1_700_000_000)
})

t.test('forks, rollbacks, bad proofs, a wrong old size, unknown logs, bad signatures and malformed bodies are refused; the state is unchanged', async t => {
  const log = new TestLog('log.example/refusals').grow(40)
  // A second history, signed with the log's own key: the same first 8 leaves, then others, so
  // it parts from what the witness records (size 12).
  const fork = new TestLog(log.origin, { privateKey: log.privateKey, leaf: i => i < 8 ? leafData(i) : Buffer.from(`forged-${i}`) }).grow(40)
  const other = new TestLog('log.example/not-witnessed').grow(5)
  const w = await startWitness(t, 'witness.test/strict', [log])
  t.equal((await addCheckpoint(w.url, await log.request(0, 12))).status, 200)
  const before = await snapshot(w.dir)
  t.equal(Object.keys(before).length, 1)

  const refused = async (what: string, body: string | Buffer, status: number, text?: RegExp, contentType?: string) => {
    const answer = await addCheckpoint(w.url, body, contentType)
    t.equal(answer.status, status, `${what}: ${answer.status} ${answer.text.trim()}`)
    if (text !== undefined) t.match(answer.text, text, what)
    t.same(await snapshot(w.dir), before, `${what}: state unchanged`)
    return answer
  }

  await refused('the recorded checkpoint with its root edited (so its signature fails)', formatAddCheckpointRequest({ oldSize: 12, proof: [], note: log.note(12).replace(log.roots[12]!.toString('base64'), fork.roots[12]!.toString('base64')) }), 403)
  const forkAt12 = await refused('a fork at the same size', formatAddCheckpointRequest({ oldSize: 12, proof: [], note: fork.note(12) }), 409, /fork/)
  t.match(forkAt12.type, /^text\/plain/, 'a fork is not answered with a size to retry from')
  await refused('a bigger fork with its own proof', await fork.request(12, 30), 422, /does not verify/)
  await refused('a bigger fork with the real tree\'s proof', formatAddCheckpointRequest({ oldSize: 12, proof: await log.proof(12, 30), note: fork.note(30) }), 422)
  await refused('rollback, old = recorded', formatAddCheckpointRequest({ oldSize: 12, proof: [], note: log.note(5) }), 400, /larger than the checkpoint/)
  const rollback = await refused('rollback, old = its own size', formatAddCheckpointRequest({ oldSize: 5, proof: [], note: log.note(5) }), 409)
  t.equal(rollback.type, 'text/x.tlog.size')
  t.equal(rollback.text, '12\n')
  const proof = await log.proof(12, 30)
  proof[0] = Buffer.from(proof[0]!).fill(7, 0, 1)
  await refused('a proof with a changed hash', formatAddCheckpointRequest({ oldSize: 12, proof, note: log.note(30) }), 422)
  await refused('a truncated proof', formatAddCheckpointRequest({ oldSize: 12, proof: (await log.proof(12, 30)).slice(0, -1), note: log.note(30) }), 422)
  await refused('a proof that is not needed', formatAddCheckpointRequest({ oldSize: 12, proof: [Buffer.alloc(32)], note: log.note(12) }), 422)

  const wrongOld = await refused('a wrong old size', await log.request(10, 30), 409)
  t.equal(wrongOld.type, 'text/x.tlog.size', 'spec: Content-Type text/x.tlog.size')
  t.equal(wrongOld.text, '12\n', 'spec: the recorded size in decimal and a newline')
  const fromZero = await refused('old 0 when the witness knows the log', await log.request(0, 30), 409)
  t.equal(fromZero.text, '12\n', 'a client may start with old 0 to learn the size')

  await refused('an unknown origin', await other.request(0, 5), 404, /unknown log origin/)
  const impostor = generateKeyPairSync('ed25519').privateKey
  await refused('signed by another key with the log\'s name', formatAddCheckpointRequest({ oldSize: 12, proof: await log.proof(12, 30), note: log.note(30, { name: log.origin, privateKey: impostor }) }), 403)
  await refused('signed by an unrelated key', formatAddCheckpointRequest({ oldSize: 12, proof: await log.proof(12, 30), note: log.note(30, { name: 'someone.else', privateKey: impostor }) }), 403)
  const unsigned = `${log.body(30)}\n`
  await refused('no signature at all', `old 12\n${(await log.proof(12, 30)).map(h => h.toString('base64')).join('\n')}\n\n${unsigned}`, 400)

  for (const [what, body] of [
    ['an empty body', ''],
    ['garbage', 'hello'],
    ['JSON', JSON.stringify({ old: 12, checkpoint: log.note(30) })],
    ['a bad old line', `old twelve\n\n${log.note(30)}`],
    ['CRLF lines', (await log.request(12, 30)).replace(/\n/g, '\r\n')],
    ['no empty line', `old 12\n${log.note(30)}`],
    ['a bad proof line', `old 12\nnot-base64\n\n${log.note(30)}`],
    ['64 proof lines', `old 12\n${`${Buffer.alloc(32).toString('base64')}\n`.repeat(64)}\n${log.note(30)}`],
    ['a checkpoint that is not one', 'old 12\n\nhello\n\n\u2014 x AAAAAAAA\n'],
    ['a size with a leading zero', `old 12\n\n${log.note(30).replace('\n30\n', '\n030\n')}`],
    ['control characters', `old 12\n\n${log.note(30).replace('\n30\n', '\n30\u0001\n')}`],
    ['old larger than the size', formatAddCheckpointRequest({ oldSize: 31, proof: [Buffer.alloc(32)], note: log.note(30) })]
  ] as const) await refused(what, body, 400)
  await refused('invalid UTF-8', Buffer.concat([Buffer.from('old 12\n\n'), Buffer.from([0xff, 0xfe, 0x0a])]), 400)
  await refused('a JSON content type', await log.request(12, 30).then(b => b.replace('old 12', 'old x')), 400, undefined, 'application/json')
  await refused('a body over the limit', `old 12\n\n${'x'.repeat(70 * 1024)}`, 413)

  // A wrong old size, then a retry from the size the witness gave: cosigned.
  const retry = await addCheckpoint(w.url, await log.request(Number(wrongOld.text), 30))
  t.equal(retry.status, 200, retry.text)
  t.equal((await w.store.read(log.origin))?.size, 30)

  const health = await fetch(`${w.url}/health`)
  t.equal(health.status, 200)
  const lost = await fetch(`${w.url}/nowhere`)
  t.equal(lost.status, 404)
  const get = await fetch(`${w.url}/add-checkpoint`)
  t.equal(get.status, 404, 'add-checkpoint is POST only')
})

t.test('the state survives a restart of the witness', async t => {
  const log = new TestLog('log.example/restart').grow(20)
  const dir = await mkdtemp(join(tmpdir(), 'witness-state-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const first = await startWitness(t, 'witness.test/r', [log], dir)
  t.equal((await addCheckpoint(first.url, await log.request(0, 15))).status, 200)
  await first.close()
  const second = await startWitness(t, 'witness.test/r', [log], dir)
  const answer = await addCheckpoint(second.url, await log.request(0, 20))
  t.equal(answer.status, 409)
  t.equal(answer.text, '15\n', 'the restarted witness still knows size 15')
  t.equal((await addCheckpoint(second.url, await log.request(15, 20))).status, 200)
})

t.test('concurrent requests for one origin never get two inconsistent checkpoints cosigned', async t => {
  const log = new TestLog('log.example/race').grow(60)
  const fork = new TestLog(log.origin, { privateKey: log.privateKey, leaf: i => i < 12 ? leafData(i) : Buffer.from(`forged-${i}`) }).grow(60)
  const w = await startWitness(t, 'witness.test/race', [log])
  t.equal((await addCheckpoint(w.url, await log.request(0, 12))).status, 200)

  // Each history's chain of requests, 12 -> 13 -> ... -> 60, all sent at once and interleaved:
  // whichever request lands first decides which history the witness follows from 12 on.
  const requests: Array<{ tree: TestLog, size: number, body: string }> = []
  const sizes = [13, 14, 16, 20, 31, 32, 33, 45, 60]
  for (const tree of [log, fork]) {
    let old = 12
    for (const size of sizes) {
      requests.push({ tree, size, body: formatAddCheckpointRequest({ oldSize: old, proof: await tree.proof(old, size), note: tree.note(size) }) })
      old = size
    }
    // Also the direct leap, which competes with every step of the chain.
    requests.push({ tree, size: 60, body: await tree.request(12, 60) })
  }
  const order = requests.map((r, i) => ({ r, k: (i * 7919) % requests.length })).sort((a, b) => a.k - b.k).map(x => x.r)
  for (let round = 0; round < 3; round++) {
    const answers = await Promise.all(order.map(async r => ({ ...r, answer: await addCheckpoint(w.url, r.body) })))
    const cosigned = answers.filter(a => a.answer.status === 200)
    // 409: another request moved the recorded size first; 422: it moved it to the other history.
    for (const a of answers) t.ok([200, 409, 422].includes(a.answer.status), `size ${a.size}: ${a.answer.status}`)
    // Every pair of cosigned checkpoints is consistent: the smaller a prefix of the larger.
    for (const a of cosigned) {
      for (const b of cosigned) {
        if (a.size > b.size) continue
        const ok = a.size === b.size
          ? a.tree.roots[a.size]!.equals(b.tree.roots[b.size]!)
          : verifyConsistency(a.size, b.size, a.tree.roots[a.size]!, b.tree.roots[b.size]!, await b.tree.proof(a.size, b.size))
        if (!ok) t.fail(`cosigned both ${a.tree === log ? 'log' : 'fork'}@${a.size} and ${b.tree === log ? 'log' : 'fork'}@${b.size}`)
      }
    }
    const recorded = await w.store.read(log.origin)
    const winner = cosigned.find(a => a.size === recorded?.size && a.tree.roots[a.size]!.toString('base64') === recorded.root_hash)
    t.ok(winner, `round ${round}: the recorded tree (${recorded?.size}) is one that was cosigned`)
    if (round === 0) t.ok(cosigned.length >= 1, `${cosigned.length} cosigned in the first round`)
  }
})
