import { generateKeyPairSync } from 'node:crypto'
import { copyFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import t, { type Test } from 'tap'
import { parseCheckpoint } from '../../src/core/checkpoint/index.js'
import { formatCosignatureVerifierKey, NoteVerificationError, openNote, parseCosignatureVerifierKey, parseVerifierKey, publicKeyBytes } from '../../src/core/note/index.js'
import { openCosignatures } from '../../src/core/witness/index.js'
import { buildWitnessApp } from '../../src/witness-server/build-witness-app.js'
import { Witness } from '../../src/witness-server/witness.js'
import { WitnessStore } from '../../src/witness-server/witness-store.js'
import { freePort } from '../faults/free-port.js'
import { ROOT, buildTestApp, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'
import { promtool } from '../metrics/promtool.js'
import { recordedSeries, type Scrape } from '../metrics/recorded-series.js'

const ACME = 'audit-service.local/acme'
const BETA = 'audit-service.local/beta'

/** A real tlog-witness (the witness-server's app) on a loopback port, its state in `stateDir`. */
async function startWitness (t: Test, name: string, stateDir: string, origins: string[], logKeys: Map<string, string>, port = 0) {
  const { privateKey } = witnessKeys.get(name)!
  const witness = new Witness({
    signer: { name, privateKey },
    logs: origins.map(origin => ({ origin, verifiers: [parseVerifierKey(logKeys.get(origin)!)] })),
    store: await WitnessStore.open(stateDir)
  })
  const app = await buildWitnessApp({ witness })
  await app.listen({ host: '127.0.0.1', port })
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await app.close()
  }
  t.teardown(close)
  return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, port: (app.server.address() as AddressInfo).port, close }
}

const witnessKeys = new Map(['w1.example/witness', 'w2.example/witness'].map(name => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return [name, { privateKey, verifierKey: formatCosignatureVerifierKey(name, publicKeyBytes(publicKey)) }]
}))
const [W1, W2] = [...witnessKeys.keys()] as [string, string]
const vkey = (name: string) => witnessKeys.get(name)!.verifierKey

const sample = (text: string | undefined, series: string) => text?.split('\n').find(l => l.startsWith(`${series} `))?.split(' ')[1]

// The log and two real witnesses (the witness server of this repository, over HTTP), policy 2
// of 2. acme is known to both witnesses; beta only to w1, so w2 answers 404 for it.
t.test('checkpoints are cosigned by two witnesses; the served note verifies with their keys; a witness rolled back recovers by 409; an unknown origin fails the policy', { timeout: 180_000 }, async t => {
  // The witnesses' URLs go into the log's configuration, and each log's key into theirs: the
  // key is the test key, known before anything starts, named after each tenant's origin.
  const probe = await testConfig(t)
  const probeApp = await buildTestApp(t, probe)
  const activeKey = async (tenant: string) => ((await probeApp.inject({ method: 'GET', url: `/.well-known/audit-log-keys?tenant=${tenant}` })).json()
    .keys as Array<{ status: string, verifier_key: string }>).find(k => k.status === 'active')!.verifier_key
  const logKeys = new Map([[ACME, await activeKey('acme')], [BETA, await activeKey('beta')]])
  const logKey = logKeys.get(ACME)!
  await probeApp.close()

  const dirs = t.testdir({ w1: {}, w2: {}, 'w1-at-5': {} })
  let w1 = await startWitness(t, W1, join(dirs, 'w1'), [ACME, BETA], logKeys)
  const w2 = await startWitness(t, W2, join(dirs, 'w2'), [ACME], logKeys)
  const [apiPort, workerPort] = [await freePort(), await freePort()]
  const config = await testConfig(t, {
    WITNESSES: `${vkey(W1)} ${w1.url}, ${vkey(W2)} ${w2.url}`,
    WITNESS_POLICY: '2 of 2',
    WITNESS_GRACE_SECONDS: '2',
    CHECKPOINT_INTERVAL_SECONDS: '1',
    VERIFY_INTERVAL_SECONDS: '0',
    API_METRICS_PORT: String(apiPort),
    WORKER_METRICS_PORT: String(workerPort),
    METRICS_CACHE_MS: '0',
    HEALTH_CACHE_MS: '0'
  })
  const app = await buildTestApp(t, config)
  await app.ready()
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const scrape = async (port: number) => await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
  const post = async (tenant: string, n: number) => {
    const res = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: Array.from({ length: n }, () => sampleEvent({ tenant })) } })
    t.equal(res.statusCode, 202, `${n} events for ${tenant}`)
  }
  const latest = async (tenant: string) => (await app.inject({ method: 'GET', url: `/checkpoints/latest?tenant=${tenant}&format=json` })).json()
  const cosignedAt = async (tenant: string, size: number, count: number) => await waitFor(async () => {
    const c = await latest(tenant)
    return c.size === size && c.cosignatures?.length === count ? c : undefined
  }, { what: `${tenant}'s checkpoint at size ${size} cosigned by ${count}` })

  await post('acme', 5)
  await post('beta', 3)
  const first = await cosignedAt('acme', 5, 2)
  t.same(first.cosignatures.map((c: { witness: string }) => c.witness).sort(), [W1, W2].map(n => `${n}+${vkey(n).split('+')[1]}`).sort())
  await copyFile(new WitnessStore(join(dirs, 'w1')).path(ACME), new WitnessStore(join(dirs, 'w1-at-5')).path(ACME))

  await post('acme', 5)
  const second = await cosignedAt('acme', 10, 2)

  // The served note, as text, verifies with the witnesses' keys alone: their cosignatures over
  // the checkpoint body, which opens with the log's key. A verifier ignores keys it does not know.
  const note = (await app.inject({ method: 'GET', url: '/checkpoints/latest?tenant=acme' })).body
  t.equal(note, second.cosigned_note)
  t.equal(note, second.note + second.cosignatures.map((c: { signature_line: string }) => `${c.signature_line}\n`).join(''))
  const witnessVerifiers = [W1, W2].map(n => parseCosignatureVerifierKey(vkey(n)))
  const opened = openCosignatures(note, witnessVerifiers)
  t.same(opened.cosignatures.map(c => c.name).sort(), [W1, W2])
  t.ok(opened.cosignatures.every(c => Math.abs(c.timestamp - Date.now() / 1000) < 120), 'timestamps of now')
  t.equal(openNote(note, [parseVerifierKey(logKey)]).text, opened.text, 'the same body opens with the log\'s key')
  t.match(parseCheckpoint(opened.text), { origin: ACME, size: 10 })
  t.throws(() => openCosignatures(note.replace('\n10\n', '\n11\n'), witnessVerifiers), NoteVerificationError, 'another size: the cosignatures do not verify')
  t.throws(() => openNote(note, witnessVerifiers.map(k => ({ name: k.name, keyId: k.keyId, publicKey: k.publicKey }))), NoteVerificationError, 'a witness key is no log key')

  // w1 restarts with the state it had at size 5 (as from a backup): the log's next request,
  // from size 10, gets a 409 stating 5, and the retry from 5 is cosigned.
  await w1.close()
  w1 = await startWitness(t, W1, join(dirs, 'w1-at-5'), [ACME, BETA], logKeys, w1.port)
  await post('acme', 3)
  await cosignedAt('acme', 13, 2)
  const w1Id = `${W1}+${vkey(W1).split('+')[1]}`
  const w2Id = `${W2}+${vkey(W2).split('+')[1]}`
  t.equal((await db.selectFrom('witness_sizes').select('size').where('tenant', '=', 'acme').where('witness', '=', w1Id).executeTakeFirstOrThrow()).size, 13)
  const worker = await scrape(workerPort)
  t.ok(Number(sample(worker, `audit_witness_requests_total{witness="${w1Id}",outcome="conflict"}`)) >= 1, 'the 409 is counted')
  t.ok(Number(sample(worker, `audit_witness_requests_total{witness="${w1Id}",outcome="cosigned"}`)) >= 3)

  // beta: w2 does not know its origin (404). Cosigned by w1 only, past the grace: /health and
  // the metrics say the policy is not met for one tenant, and acme's is.
  await cosignedAt('beta', 3, 1)
  const health = await waitFor(async () => {
    const res = await app.inject({ method: 'GET', url: '/health' })
    return res.json().witnesses?.tenants_unwitnessed === 1 ? res : undefined
  }, { what: '/health to say beta is unwitnessed' })
  t.equal(health.statusCode, 200, 'degraded, not unavailable: events are still accepted')
  t.match(health.json(), { status: 'degraded', witnesses: { policy: '2 of 2', tenants_unwitnessed: 1, grace_seconds: 2 } })
  t.match(health.json().reasons.join('\n'), /witness policy \(2 of 2\) not met for 1 tenant/)
  t.notMatch(health.body, /beta/, 'tenants are counted, never named')
  const api = await scrape(apiPort)
  t.equal(sample(api, 'audit_witness_policy_met{tenant="beta"}'), '0')
  t.equal(sample(api, 'audit_witness_policy_met{tenant="acme"}'), '1')
  t.equal(sample(api, 'audit_witness_cosignatures{tenant="beta"}'), '1')
  t.equal(sample(api, 'audit_witness_cosignatures{tenant="acme"}'), '2')
  t.ok(Number(sample(await scrape(workerPort), `audit_witness_requests_total{witness="${w2Id}",outcome="unknown_origin"}`)) >= 1, 'the 404 is counted')
  for (const text of [api, await scrape(workerPort)]) {
    const { status, output } = await promtool(['check', 'metrics'], text)
    t.equal(output.trim(), '', 'promtool check metrics reports nothing')
    t.equal(status, 0)
  }

  // The alert fires on what the API reports while this lasts (one scrape a second standing for
  // a minute, as in test/metrics/alert-rules.test.ts), for beta alone.
  const scrapes: Scrape[] = []
  for (let i = 0; i <= 7; i++) {
    await new Promise(resolve => setTimeout(resolve, i === 0 ? 0 : 1000))
    scrapes.push({ at: Date.now() / 1000, bodies: { 'audit-api': await scrape(apiPort) } })
  }
  const { series, lastStep } = recordedSeries(scrapes)
  const file = join(dirs, 'witness-alert.test.json')
  writeFileSync(file, JSON.stringify({
    rule_files: [join(ROOT, 'docs', 'alerts.yml')],
    evaluation_interval: '1m',
    tests: [{
      interval: '1m',
      input_series: series,
      promql_expr_test: [{
        expr: 'count by (alertname, tenant) (ALERTS{alertstate="firing"})',
        eval_time: `${lastStep}m`,
        exp_samples: [{ labels: '{alertname="AuditWitnessPolicyNotMet",tenant="beta"}', value: 1 }]
      }]
    }]
  }))
  const { status, output } = await promtool(['test', 'rules', file])
  t.equal(status, 0, `AuditWitnessPolicyNotMet fires for beta and nothing else fires${status === 0 ? '' : `\n${output}`}`)
})
