import { spawnSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import t, { type Test } from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { formatCosignatureVerifierKey, formatVerifierKey, publicKeyBytes } from '../../src/core/note/index.js'
import { ROOT } from '../helper.js'

const publicKey = () => publicKeyBytes(generateKeyPairSync('ed25519').publicKey)
const w1 = formatCosignatureVerifierKey('witness.example/w1', publicKey())
const w2 = formatCosignatureVerifierKey('witness.example/w2', publicKey())
const w3 = formatCosignatureVerifierKey('other.example', publicKey())

const refused = (t: Test, env: Record<string, string>, variable: string, message: RegExp) => {
  try {
    loadConfig(env)
    t.fail(`${JSON.stringify(env)} should be refused`)
  } catch (err) {
    t.type(err, ConfigError)
    t.equal((err as ConfigError).variable, variable)
    t.match((err as Error).message, message, JSON.stringify(env))
  }
}

t.test('no witnesses by default', async t => {
  const config = loadConfig({})
  t.same(config.witnesses, [])
  t.equal(config.witnessPolicy, 0)
  t.equal(config.witnessTimeoutMs, 5000)
  t.equal(config.witnessGraceSeconds, 120)
})

t.test('WITNESSES: "<verifier key> <url>" entries, by commas or newlines; the policy is all of them by default', async t => {
  const config = loadConfig({ WITNESSES: `${w1} https://w1.example/prefix/,\n  ${w2}   http://127.0.0.1:8080\n${w3} https://w3.example` })
  t.same(config.witnesses.map(w => [w.id, w.url, w.verifierKey]), [
    [`witness.example/w1+${w1.split('+')[1]}`, 'https://w1.example/prefix', w1],
    [`witness.example/w2+${w2.split('+')[1]}`, 'http://127.0.0.1:8080', w2],
    [`other.example+${w3.split('+')[1]}`, 'https://w3.example', w3]
  ])
  t.equal(config.witnesses[0]!.key.type, 'cosignature/v1')
  t.equal(config.witnessPolicy, 3)
  t.equal(loadConfig({ WITNESSES: `${w1} https://a, ${w2} https://b, ${w3} https://c`, WITNESS_POLICY: '2' }).witnessPolicy, 2)
  t.equal(loadConfig({ WITNESSES: `${w1} https://a, ${w2} https://b, ${w3} https://c`, WITNESS_POLICY: '2 of 3' }).witnessPolicy, 2)
  t.equal(loadConfig({ WITNESSES: `${w1} https://a`, WITNESS_POLICY: ' 1 of 1 ' }).witnessPolicy, 1)
})

t.test('bad witnesses and policies are refused at start, naming the variable and the entry', async t => {
  const logKey = formatVerifierKey('audit-service', publicKey())
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ WITNESSES: w1 }, 'WITNESSES', /^WITNESSES: entry 1 must be "<verifier key> <url>" \(no URL\)$/],
    [{ WITNESSES: `${w1} https://a extra` }, 'WITNESSES', /entry 1 must be "<verifier key> <url>" \(3 words\)/],
    [{ WITNESSES: `${w1} https://a, ${logKey} https://b` }, 'WITNESSES', /^WITNESSES: entry 2: type 0x01 is a note signing key.*\(a C2SP cosignature verifier key/],
    [{ WITNESSES: `${w1.replace(/\+[0-9a-f]{8}\+/, '+00000000+')} https://a` }, 'WITNESSES', /entry 1: key id does not match/],
    [{ WITNESSES: 'not-a-key https://a' }, 'WITNESSES', /entry 1: verifier key must look like name\+keyid\+key/],
    [{ WITNESSES: `${w1} w1.example` }, 'WITNESSES', /entry 1: "w1.example" is not a URL/],
    [{ WITNESSES: `${w1} ftp://w1.example` }, 'WITNESSES', /entry 1: the URL must use http: or https:, got ftp:/],
    [{ WITNESSES: `${w1} https://w1.example/?x=1` }, 'WITNESSES', /no query or fragment/],
    [{ WITNESSES: `${w1} https://a, ${w1} https://b` }, 'WITNESSES', /entry 2: witness witness.example\/w1\+[0-9a-f]{8} is listed twice/],
    [{ WITNESSES: `${w1} https://a, ${w2} https://b`, WITNESS_POLICY: '3' }, 'WITNESS_POLICY', /^WITNESS_POLICY: must be between 1 and the number of witnesses \(2\), got 3$/],
    [{ WITNESSES: `${w1} https://a, ${w2} https://b`, WITNESS_POLICY: '0' }, 'WITNESS_POLICY', /between 1 and the number of witnesses \(2\), got 0/],
    [{ WITNESSES: `${w1} https://a, ${w2} https://b`, WITNESS_POLICY: '2 of 3' }, 'WITNESS_POLICY', /says of 3, but WITNESSES lists 2/],
    [{ WITNESSES: `${w1} https://a, ${w2} https://b`, WITNESS_POLICY: 'two' }, 'WITNESS_POLICY', /must be "N" or "N of M", got "two"/],
    [{ WITNESS_POLICY: '1' }, 'WITNESS_POLICY', /is set, but WITNESSES lists none/],
    [{ WITNESS_TIMEOUT_MS: '10' }, 'WITNESS_TIMEOUT_MS', /between 100 and 120000/],
    [{ WITNESS_GRACE_SECONDS: '0' }, 'WITNESS_GRACE_SECONDS', /between 1 and/]
  ]
  for (const [env, variable, message] of cases) refused(t, env, variable, message)
})

t.test('a bad WITNESSES stops the CLI with one line and exit 78', async t => {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'worker'], {
    cwd: ROOT,
    env: { ...process.env, WITNESSES: w1, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' },
    encoding: 'utf8',
    timeout: 60_000
  })
  t.equal(res.status, 78)
  t.equal(res.stderr, 'audit-service: invalid configuration: WITNESSES: entry 1 must be "<verifier key> <url>" (no URL)\n')
})
