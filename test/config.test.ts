import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'

t.test('defaults work on a machine with local PostgreSQL and Redis', async t => {
  const config = loadConfig({})
  t.equal(config.port, 3000)
  t.equal(config.databaseUrl, 'postgres://postgres@127.0.0.1:5432/audit_service')
  t.equal(config.redisUrl, 'redis://127.0.0.1:6379')
  t.equal(config.logLevel, 'info')
  t.equal(config.healthPort, 0, 'no health thread unless HEALTH_PORT is set')
  t.equal(loadConfig({ HEALTH_PORT: '3001' }).healthPort, 3001)
})

t.test('a bad value names the variable', async t => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ PORT: 'abc' }, 'PORT', /integer/],
    [{ PORT: '70000' }, 'PORT', /between 0 and 65535/],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL', /valid URL/],
    [{ DATABASE_URL: 'mysql://x/y' }, 'DATABASE_URL', /postgres/],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL', /redis/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of/],
    [{ QUEUE_PREFIX: 'a b' }, 'QUEUE_PREFIX', /letters/],
    [{ SIGNING_KEY_NAME: 'a+b' }, 'SIGNING_KEY_NAME', /"\+"/],
    [{ LOG_ORIGIN: 'audit service' }, 'LOG_ORIGIN', /spaces/],
    // A name or origin a C2SP signed note cannot carry (c2sp.org/signed-note, tlog-checkpoint).
    [{ SIGNING_KEY_NAME: 'audit\x01svc' }, 'SIGNING_KEY_NAME', /control characters, found U\+0001: a signed note with one is malformed/],
    [{ SIGNING_KEY_NAME: 'audit\u0085svc' }, 'SIGNING_KEY_NAME', /Unicode whitespace, found U\+0085/],
    [{ SIGNING_KEY_NAME: 'audit\u3000svc' }, 'SIGNING_KEY_NAME', /Unicode whitespace, found U\+3000/],
    [{ SIGNING_KEY_NAME: 'audit\tsvc' }, 'SIGNING_KEY_NAME', /whitespace, found U\+0009/],
    [{ LOG_ORIGIN: 'audit\x01svc' }, 'LOG_ORIGIN', /control characters, found U\+0001/],
    [{ LOG_ORIGIN: 'audit\u0085svc' }, 'LOG_ORIGIN', /Unicode whitespace, found U\+0085/],
    [{ LOG_ORIGIN: 'audit.example/log\n2' }, 'LOG_ORIGIN', /whitespace, found U\+000A/],
    [{ LOG_ORIGIN: 'audit.example+log' }, 'LOG_ORIGIN', /"\+"/],
    // Receipts carry `<LOG_ORIGIN>/<tenant>` as at most 256 printable ASCII characters.
    [{ LOG_ORIGIN: 'journal\u00e9.example' }, 'LOG_ORIGIN', /printable ASCII/],
    [{ LOG_ORIGIN: 'a'.repeat(192) }, 'LOG_ORIGIN', /at most 191/],
    [{ HEALTH_PORT: '65536' }, 'HEALTH_PORT', /between 0 and 65535/],
    [{ HEALTH_PORT: 'x' }, 'HEALTH_PORT', /integer/],
    [{ HEALTH_PORT: '3000' }, 'HEALTH_PORT', /must differ from PORT \(3000\)/],
    [{ PORT: '8080', HEALTH_PORT: '8080' }, 'HEALTH_PORT', /must differ from PORT/],
    // Redacted whole, these members would leave a record of another shape than StoredRecord.
    [{ SCRUB_EXTRA_KEYS: 'employee_no,Actor' }, 'SCRUB_EXTRA_KEYS', /must not name Actor: actor, target/],
    [{ SCRUB_EXTRA_KEYS: 'meta-data, out_come' }, 'SCRUB_EXTRA_KEYS', /must not name meta-data, out_come/],
    // Every record must fit a C2SP tlog-tiles entry.
    [{ RECORD_MAX_BYTES: '65536' }, 'RECORD_MAX_BYTES', /must be at most 65535 \(a C2SP tlog-tiles entry carries at most that many bytes\), got 65536/],
    [{ RECORD_MAX_BYTES: '524288' }, 'RECORD_MAX_BYTES', /at most 65535/],
    [{ RECORD_MAX_BYTES: '100' }, 'RECORD_MAX_BYTES', /between 1024 and 65535/],
    [{ PUBLIC_TENANTS: 'acme, not a tenant' }, 'PUBLIC_TENANTS', /"not a tenant" is not a tenant name/],
    [{ PUBLIC_TENANTS: 'acme,-x' }, 'PUBLIC_TENANTS', /"-x" is not a tenant name/]
  ]
  for (const [env, variable, message] of cases) {
    try {
      loadConfig(env)
      t.fail(`${variable} should be refused`)
    } catch (err) {
      t.type(err, ConfigError)
      t.equal((err as ConfigError).variable, variable)
      t.match((err as Error).message, message)
      t.match((err as Error).message, new RegExp(`^${variable}: `))
    }
  }
})

t.test('the CLI exits with one clear message on bad configuration', async t => {
  const { spawnSync } = await import('node:child_process')
  const { ROOT } = await import('./helper.js')
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'api'], { cwd: ROOT, env: { ...process.env, PORT: 'eighty' }, encoding: 'utf8' })
  t.equal(res.status, 78)
  t.equal(res.stderr.trim(), 'audit-service: invalid configuration: PORT: must be an integer, got "eighty"')
})

t.test('key names and origins a signed note can carry are accepted', async t => {
  const config = loadConfig({ SIGNING_KEY_NAME: 'audit.example.com/acme', LOG_ORIGIN: 'a'.repeat(191) })
  t.equal(config.signingKeyName, 'audit.example.com/acme')
  t.equal(config.logOrigin.length, 191)
  t.equal(loadConfig({ SIGNING_KEY_NAME: 'journal\u00e9-\u2014' }).signingKeyName, 'journal\u00e9-\u2014', 'a key name may be any UTF-8 but spaces, controls and "+"')
})

t.test('a key name or origin no note can carry stops the CLI with one line, not a stack trace', async t => {
  const { spawnSync } = await import('node:child_process')
  const { ROOT } = await import('./helper.js')
  // `start` reads the configuration before it migrates, so neither command reaches PostgreSQL.
  const cases: Array<[string, Record<string, string>, string]> = [
    ['api', { SIGNING_KEY_NAME: 'audit\u0085svc' }, 'SIGNING_KEY_NAME: must not contain spaces or other Unicode whitespace, found U+0085 (C2SP signed-note key name)'],
    ['start', { SIGNING_KEY_NAME: 'audit\u0085svc' }, 'SIGNING_KEY_NAME: must not contain spaces or other Unicode whitespace, found U+0085 (C2SP signed-note key name)'],
    ['api', { SIGNING_KEY_NAME: 'audit\x01svc' }, 'SIGNING_KEY_NAME: must not contain control characters, found U+0001: a signed note with one is malformed (C2SP signed-note key name)'],
    ['start', { LOG_ORIGIN: 'audit\x01svc' }, 'LOG_ORIGIN: must not contain control characters, found U+0001: a signed note with one is malformed (C2SP checkpoint origin, which the log\'s key name may match)']
  ]
  for (const [command, env, message] of cases) {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', command], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none', ...env },
      encoding: 'utf8',
      timeout: 60_000
    })
    t.equal(res.status, 78, `${command} ${JSON.stringify(env)} exits with EX_CONFIG`)
    t.equal(res.stderr, `audit-service: invalid configuration: ${message}\n`, 'one line')
  }
})

t.test('RECORD_MAX_BYTES is 65,535 by default (a tlog-tiles entry); PUBLIC_TENANTS is none by default', async t => {
  t.equal(loadConfig({}).recordMaxBytes, 65_535)
  t.equal(loadConfig({ RECORD_MAX_BYTES: '32768' }).recordMaxBytes, 32_768)
  t.equal(loadConfig({ BODY_LIMIT_BYTES: '1048576' }).recordMaxBytes, 65_535, 'no longer follows BODY_LIMIT_BYTES')
  t.same(loadConfig({}).publicTenants, [])
  t.same(loadConfig({ PUBLIC_TENANTS: ' acme,globex.eu , acme,' }).publicTenants, ['acme', 'globex.eu'])
})

t.test('a RECORD_MAX_BYTES over what an entry carries stops the CLI with one line', async t => {
  const { spawnSync } = await import('node:child_process')
  const { ROOT } = await import('./helper.js')
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'api'], { cwd: ROOT, env: { ...process.env, RECORD_MAX_BYTES: '524288' }, encoding: 'utf8', timeout: 60_000 })
  t.equal(res.status, 78)
  t.equal(res.stderr, 'audit-service: invalid configuration: RECORD_MAX_BYTES: must be at most 65535 (a C2SP tlog-tiles entry carries at most that many bytes), got 524288\n')
})

t.test('TRUST_PROXY: false by default, true, a hop count or proxy addresses', async t => {
  t.equal(loadConfig({}).trustProxy, false)
  t.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true)
  t.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2)
  t.equal(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy, '10.0.0.0/8, 127.0.0.1')
  t.throws(() => loadConfig({ TRUST_PROXY: 'yes please' }), new ConfigError('TRUST_PROXY', 'must be true, false, a hop count or comma-separated proxy addresses/CIDRs'))
  t.same([loadConfig({}).rateLimitIpMax, loadConfig({}).ownAccessMax, loadConfig({}).rateLimitExpensiveWeight, loadConfig({}).apiKeyUnknownCacheMs], [300, 60, 100, 60_000])
})
