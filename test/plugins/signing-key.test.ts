import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { pino } from 'pino'
import { loadSigningKey } from '../../src/plugins/load-signing-key.js'

const silent = pino({ level: 'silent' })

t.test('without a configured key a development key is made once, outside the repo, and reused', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'audit-key-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const warnings: string[] = []
  const logger = pino({ level: 'warn' }, { write: (line: string) => { warnings.push(line) } })
  const keys = await Promise.all([0, 1, 2].map(() => loadSigningKey({ name: 'test', devKeyDir: join(dir, 'nested'), logger })))
  t.ok(keys.every(k => k.development))
  t.equal(new Set(keys.map(k => k.verifierKey)).size, 1, 'concurrent first starts agree on one key')
  const file = join(dir, 'nested', 'dev-signing-key.pem')
  t.equal((await stat(file)).mode & 0o777, 0o600, 'readable by the owner only')
  t.match(warnings.join(''), /NO SIGNING KEY CONFIGURED/)
  const again = await loadSigningKey({ name: 'test', devKeyDir: join(dir, 'nested'), logger: silent })
  t.equal(again.verifierKey, keys[0]!.verifierKey)
})

t.test('a configured key is read as PKCS#8 PEM, DER, or a raw seed in hex or base64', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'audit-key-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const { privateKey } = generateKeyPairSync('ed25519')
  const der = privateKey.export({ format: 'der', type: 'pkcs8' })
  const seed = der.subarray(-32)
  await writeFile(join(dir, 'k.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }))
  await writeFile(join(dir, 'k.der'), der)
  const options = { name: 'log', devKeyDir: join(dir, 'unused'), logger: silent }
  const variants = await Promise.all([
    loadSigningKey({ ...options, keyFile: join(dir, 'k.pem') }),
    loadSigningKey({ ...options, keyFile: join(dir, 'k.der') }),
    loadSigningKey({ ...options, key: seed.toString('hex') }),
    loadSigningKey({ ...options, key: seed.toString('base64') }),
    loadSigningKey({ ...options, key: await readFile(join(dir, 'k.pem'), 'utf8') })
  ])
  t.equal(new Set(variants.map(v => v.verifierKey)).size, 1)
  t.ok(variants.every(v => !v.development))
  await t.rejects(loadSigningKey({ ...options, key: 'not a key' }), /PKCS#8/)
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' })
  await t.rejects(loadSigningKey({ ...options, key: rsa as string }), /Ed25519/)
})
