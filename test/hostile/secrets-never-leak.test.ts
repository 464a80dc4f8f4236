import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto'
import { connect, type AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { Redis } from 'ioredis'
import { sql } from 'kysely'
import type { InjectOptions } from 'fastify'
import { pino } from 'pino'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import { parsePointer } from '../core/helpers/parse-pointer.js'
import { DEFAULT_PLACEHOLDER, DEFAULT_SECRET_PATTERNS, DEFAULT_SECRET_WORDS } from '../../src/ingest/scrub-secrets.js'
import { loggerOptions } from '../../src/logger.js'
import { createWorker } from '../../src/worker/create-worker.js'
import { ADMIN_AUTH, countRows, openDatabase, REDIS_URL, sampleEvent, TEST_ADMIN_KEY, testConfig, waitFor } from '../helper.js'

// For every secret the scrubber knows (each key rule and each value pattern), a realistic
// value is sent at depth in metadata, in arrays, and (for value patterns) in actor.name and
// the other free-text fields. Then no row, no Redis key or value, no log line of the API or
// the worker (both at level trace), and no read answer may contain it.
//
// Secret-shaped values are assembled at runtime from random bytes, so that no scanner takes
// this file for a leak and no value can be found by accident elsewhere.

const hex = (bytes: number) => randomBytes(bytes).toString('hex')
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const alnum = (length: number, alphabet = ALNUM) => Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('')
const digits = (length: number) => alnum(length, '0123456789')
const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url')

function luhnComplete (body: string): string {
  let sum = 0
  for (let i = 0; i < body.length; i++) {
    let digit = Number(body[body.length - 1 - i])
    if (i % 2 === 0) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
  }
  return body + String((10 - (sum % 10)) % 10)
}

interface Secret {
  /** The rule it exercises: `key:<normalized key>` or `pattern:<name>`. */
  rule: string
  /** The member name it is sent under (a sensitive key, or an innocent one for patterns). */
  key: string
  value: unknown
  /** Substrings that must appear nowhere (the random parts, not the well-known prefixes). */
  needles: string[]
}

/** How a producer would spell a name holding each built-in sensitive word (issue 14's names among them). */
const KEY_SPELLINGS: Record<string, string> = {
  auth: 'auth',
  pin: 'pin_code',
  pincode: 'pinCode',
  pass: 'db_pass',
  ssn: 'SSN',
  otp: 'otp',
  totp: 'totp_seed',
  hotp: 'HOTP',
  mfacode: 'mfa_code',
  otpcode: 'otpCode',
  creds: 'creds',
  cred: 'aws-cred',
  securitycode: 'security_code',
  securityanswer: 'securityAnswer',
  seedphrase: 'seed_phrase',
  cvn: 'cvn',
  passwords: 'old_passwords',
  pwd: 'PWD',
  secret: 'webhook_secret',
  secrets: 'Secrets',
  token: 'token_value',
  authorization: 'Authorization',
  cookie: 'Cookie',
  cookies: 'cookies',
  setcookie: 'Set-Cookie',
  accesskey: 'awsAccessKey',
  ccnumber: 'cc-number',
  cvv: 'cvv2',
  cvc: 'card.cvc',
  password: 'password_confirmation',
  passwd: 'db_passwd',
  passphrase: 'ssh-passphrase',
  passcode: 'passcode',
  credential: 'credentials',
  apikey: 'X-API-Key',
  privatekey: 'private_key',
  secretkey: 'SECRET_KEY',
  clientsecret: 'client_secret',
  accesstoken: 'access_tokens',
  refreshtoken: 'refreshToken',
  creditcard: 'credit_card',
  cardnumber: 'cardNumber',
  socialsecurity: 'social_security_number',
  secretanswer: 'secret_answer'
}

function keySecrets (): Secret[] {
  return DEFAULT_SECRET_WORDS.map(rule => {
    const key = KEY_SPELLINGS[rule.word]
    if (key === undefined) throw new Error(`no spelling for key rule ${rule.word}: add one`)
    // Under a sensitive key any value goes, whatever its shape: strings, numbers, objects.
    const opaque = `${rule.word.slice(0, 4)}-${hex(10)}`
    if (rule.word === 'pin') {
      const pin = 100_000_000_000 + randomInt(800_000_000_000)
      return { rule: `key:${rule.word}`, key, value: pin, needles: [String(pin)] }
    }
    if (rule.word === 'passwords') {
      const [a, b] = [`old-${hex(10)}`, `older-${hex(10)}`]
      return { rule: `key:${rule.word}`, key, value: [a, { previous: b }], needles: [a, b] }
    }
    if (rule.word === 'secrets') {
      const inner = `inner-${hex(10)}`
      return { rule: `key:${rule.word}`, key, value: { webhook: inner, nested: { deeper: [inner] } }, needles: [inner] }
    }
    return { rule: `key:${rule.word}`, key, value: opaque, needles: [opaque] }
  })
}

function patternSecrets (): Secret[] {
  const bearer = b64url(randomBytes(24))
  const basicPassword = hex(8)
  const basic = Buffer.from(`svc-billing:${basicPassword}`).toString('base64')
  const jwtPayload = b64url(JSON.stringify({ sub: `u_${hex(6)}`, iat: 1_795_000_000, scope: 'admin' }))
  const jwtSignature = b64url(randomBytes(32))
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const pemBody = pem.split('\n').filter(line => line !== '' && !line.startsWith('-----')).join('')
  const aws = 'AKIA' + alnum(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')
  const dbPassword = alnum(20)
  const card = luhnComplete('4' + digits(14))
  const cardSpaced = luhnComplete('5' + String(1 + randomInt(5)) + digits(13)).replace(/(\d{4})(?=\d)/g, '$1 ')
  const ghp = 'gh' + 'p_' + alnum(36)
  const ghPat = 'github' + '_pat_' + alnum(22) + '_' + alnum(59)
  const slack = 'xox' + 'b-' + digits(12) + '-' + digits(13) + '-' + alnum(24)
  const stripe = 'sk' + '_live_' + alnum(24)
  const stripeRestricted = 'rk' + '_test_' + alnum(24)
  const urlToken = alnum(24)
  const cardTabbed = luhnComplete('4' + digits(15 - 1)).replace(/(\d{4})(?=\d)/g, '$1\t')
  const cardDotted = luhnComplete('5' + String(1 + randomInt(5)) + digits(13)).replace(/(\d{4})(?=\d)/g, '$1.')
  const cardNbsp = luhnComplete('4' + digits(14)).replace(/(\d{4})(?=\d)/g, '$1\u00a0')
  const openai = 'sk-' + 'proj-' + alnum(80)
  const anthropic = 'sk-' + 'ant-api03-' + alnum(90)
  const google = 'AI' + 'za' + alnum(35)
  const googleOauth = 'GOC' + 'SPX-' + alnum(28)
  const gitlab = 'gl' + 'pat-' + alnum(20)
  const npm = 'np' + 'm_' + alnum(36)
  const sendgrid = 'S' + 'G.' + alnum(22) + '.' + alnum(43)
  const hf = 'h' + 'f_' + alnum(34)
  const pypi = 'py' + 'pi-AgEIcHlwaS5vcmc' + alnum(60)
  const digitalocean = 'do' + 'p_v1_' + hex(32)
  const slackHook = alnum(24)
  return [
    { rule: 'pattern:url-secret-parameter', key: 'callback', value: `https://app.example.com/cb?state=1&access_token=${urlToken}`, needles: [urlToken] },
    { rule: 'pattern:payment-card-number', key: 'card_tabbed', value: cardTabbed, needles: [cardTabbed, cardTabbed.replaceAll('\t', '')] },
    { rule: 'pattern:payment-card-number', key: 'card_dotted', value: cardDotted, needles: [cardDotted, cardDotted.replaceAll('.', '')] },
    { rule: 'pattern:payment-card-number', key: 'card_nbsp', value: cardNbsp, needles: [cardNbsp, cardNbsp.replaceAll('\u00a0', '')] },
    { rule: 'pattern:openai-api-key', key: 'llm', value: openai, needles: [openai.slice(8)] },
    { rule: 'pattern:anthropic-api-key', key: 'llm2', value: anthropic, needles: [anthropic.slice(13)] },
    { rule: 'pattern:google-api-key', key: 'maps', value: google, needles: [google.slice(4)] },
    { rule: 'pattern:google-oauth-secret', key: 'gcp', value: googleOauth, needles: [googleOauth.slice(7)] },
    { rule: 'pattern:gitlab-token', key: 'gl', value: gitlab, needles: [gitlab.slice(6)] },
    { rule: 'pattern:npm-token', key: 'registry', value: npm, needles: [npm.slice(4)] },
    { rule: 'pattern:sendgrid-api-key', key: 'mail', value: sendgrid, needles: [sendgrid.slice(3)] },
    { rule: 'pattern:huggingface-token', key: 'hub', value: hf, needles: [hf.slice(3)] },
    { rule: 'pattern:pypi-token', key: 'upload', value: pypi, needles: [pypi.slice(20)] },
    { rule: 'pattern:digitalocean-token', key: 'cloud', value: digitalocean, needles: [digitalocean.slice(7)] },
    { rule: 'pattern:slack-webhook-url', key: 'hook', value: `https://hooks.slack.com/services/T0/B0/${slackHook}`, needles: [slackHook] },
    { rule: 'pattern:authorization-header', key: 'upstream_header', value: `Bearer ${bearer}`, needles: [bearer] },
    { rule: 'pattern:authorization-header', key: 'proxy_header', value: `Basic ${basic}`, needles: [basic, basicPassword] },
    { rule: 'pattern:jwt', key: 'id_tok', value: `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${jwtPayload}.${jwtSignature}`, needles: [jwtPayload, jwtSignature] },
    { rule: 'pattern:pem-private-key', key: 'material', value: pem, needles: [pemBody, pemBody.slice(-40)] },
    { rule: 'pattern:aws-access-key-id', key: 'aws_id', value: aws, needles: [aws] },
    { rule: 'pattern:url-credentials', key: 'dsn', value: `postgres://billing:${dbPassword}@db.internal:5432/billing`, needles: [dbPassword] },
    { rule: 'pattern:payment-card-number', key: 'paid_with', value: card, needles: [card] },
    { rule: 'pattern:payment-card-number', key: 'card_display', value: `charged ${cardSpaced} today`, needles: [cardSpaced, cardSpaced.replaceAll(' ', '')] },
    { rule: 'pattern:github-token', key: 'gh', value: ghp, needles: [ghp.slice(4)] },
    { rule: 'pattern:github-token', key: 'gh_fine_grained', value: ghPat, needles: [ghPat.slice(11)] },
    { rule: 'pattern:slack-token', key: 'slack', value: slack, needles: [slack.slice(5)] },
    { rule: 'pattern:stripe-secret-key', key: 'stripe', value: stripe, needles: [stripe.slice(8)] },
    { rule: 'pattern:stripe-secret-key', key: 'stripe_restricted', value: stripeRestricted, needles: [stripeRestricted.slice(8)] }
  ]
}

/** One event per secret: every place it can go, and the pointers that must come back redacted. */
function eventsFor (secret: Secret): { event: Record<string, unknown>, redacted: string[] } {
  const isPattern = secret.rule.startsWith('pattern:')
  const k = secret.key
  const v = secret.value
  const esc = (token: string) => token.replaceAll('~', '~0').replaceAll('/', '~1')
  // As deep as the limit allows: metadata is level 1, the object holding the secret (and
  // whatever the secret itself nests) ends at level 8.
  let deep: Record<string, unknown> = { [k]: v }
  const levels = ['a', 'b', 'c', 'd', 'e', 'f'].slice(0, 6 - depthOf(v))
  for (const level of [...levels].reverse()) deep = { [level]: deep }
  const metadata: Record<string, unknown> = { deep, list: [{ [k]: v }, [{ ok: 1, [k]: v }]], ok: 'visible' }
  const redacted = [`/metadata/deep/${levels.map(l => `${l}/`).join('')}${esc(k)}`, `/metadata/list/0/${esc(k)}`, `/metadata/list/1/0/${esc(k)}`]
  const event: Record<string, unknown> = { ...sampleEvent(), metadata }
  if (isPattern) {
    // Values are recognised anywhere, under any key, in any string field.
    const text = v as string
    metadata.strings = ['ok', text, [text], { note: text }]
    redacted.push('/metadata/strings/1', '/metadata/strings/2/0', '/metadata/strings/3/note')
    event.actor = { type: 'user', id: 'u_1', name: text, user_agent: text }
    event.target = { type: 'doc', id: 'd_1', name: text }
    event.session_id = text
    event.request_id = text
    redacted.push('/actor/name', '/actor/user_agent', '/target/name', '/session_id', '/request_id')
  } else {
    // A whole value under a sensitive key goes, array or not. actor.name has no key of its
    // own to match, so key rules cannot apply there (value patterns do, above).
    metadata[k] = [v, v]
    redacted.push(`/metadata/${esc(k)}`)
  }
  return { event, redacted }
}

/** Levels of containers in a JSON value (0 for a scalar). */
function depthOf (value: unknown): number {
  if (value === null || typeof value !== 'object') return 0
  return 1 + Math.max(0, ...Object.values(value).map(depthOf))
}

function memoryLog (lines: string[]) {
  return new Writable({ write (chunk, _encoding, callback) { lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)); callback() } })
}

/**
 * Everything a log line says, with Buffers pino wrote as byte arrays decoded, so that a
 * secret logged as `{"type":"Buffer","data":[...]}` is still found.
 */
function readable (line: string): string {
  const parts = [line]
  try {
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk)
      else if (value !== null && typeof value === 'object') {
        const object = value as Record<string, unknown>
        if (object.type === 'Buffer' && Array.isArray(object.data)) parts.push(Buffer.from(object.data as number[]).toString('latin1'))
        else Object.values(object).forEach(walk)
      }
    }
    walk(JSON.parse(line))
  } catch {}
  return parts.join('\n')
}

/** Every key under the prefix with its value, whatever the Redis type. */
async function dumpRedis (prefix: string): Promise<string> {
  const redis = new Redis(REDIS_URL)
  const out: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
    cursor = next
    for (const key of keys) {
      const type = await redis.type(key)
      out.push(`${type} ${key}`)
      if (type === 'string') out.push(String(await redis.getBuffer(key)))
      else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)))
      else if (type === 'list') out.push(JSON.stringify(await redis.lrange(key, '0', '-1')))
      else if (type === 'set') out.push(JSON.stringify(await redis.smembers(key)))
      else if (type === 'zset') out.push(JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES')))
      else if (type === 'stream') out.push(JSON.stringify(await redis.xrange(key, '-', '+')))
      else out.push(`(unread type ${type})`)
    }
  } while (cursor !== '0')
  await redis.quit()
  return out.join('\n')
}

/** Every row of every table, bytea decoded as text, as one string. */
async function dumpDatabase (config: Config, t: { teardown: (fn: () => unknown) => void }): Promise<{ text: string, canonical: Array<Record<string, unknown>> }> {
  const db = openDatabase(t, config.databaseUrl)
  const tables = await sql<{ tablename: string }>`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`.execute(db)
  const parts: string[] = []
  for (const { tablename } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(tablename)}`.execute(db)
    for (const row of rows.rows) {
      parts.push(tablename, JSON.stringify(row, (_key, value) => {
        if (value !== null && typeof value === 'object' && (value as { type?: string }).type === 'Buffer') return Buffer.from((value as { data: number[] }).data).toString('latin1')
        return value
      }))
    }
  }
  const events = await db.selectFrom('audit_events').select(['canonical']).execute()
  return { text: parts.join('\n'), canonical: events.map(r => JSON.parse(r.canonical.toString('utf8')) as Record<string, unknown>) }
}

function valueAt (root: unknown, pointer: string): unknown {
  let at = root
  for (const token of parsePointer(pointer)) at = (at as Record<string, unknown> | undefined)?.[token]
  return at
}

t.test('every key rule and value pattern of the scrubber has a realistic secret here', async t => {
  const secrets = [...keySecrets(), ...patternSecrets()]
  t.same([...new Set(secrets.map(s => s.rule))].sort(), [...DEFAULT_SECRET_WORDS.map(r => `key:${r.word}`), ...DEFAULT_SECRET_PATTERNS.map(p => `pattern:${p.name}`)].sort())
  for (const s of secrets.filter(s => s.rule.startsWith('pattern:'))) {
    const name = s.rule.slice('pattern:'.length)
    const detectors = DEFAULT_SECRET_PATTERNS.filter(p => p.test(s.value as string)).map(p => p.name)
    t.ok(detectors.includes(name), `${s.key}: recognised as ${name} (${detectors.join(', ')})`)
    t.ok((s.value as string).length <= 256, `${s.key}: fits actor.name (${(s.value as string).length} characters)`)
  }
})

t.test('secrets never reach a row, a Redis key or value, a log line or a read answer', async t => {
  const config = await testConfig(t)
  const apiLines: string[] = []
  const workerLines: string[] = []
  const app = await buildApp({ config, loggerInstance: pino(loggerOptions('trace', 'audit-api'), memoryLog(apiLines)) })
  t.teardown(() => app.close())
  const inject = (opts: InjectOptions) => app.inject({ ...opts, headers: { ...ADMIN_AUTH, ...opts.headers } })

  const secrets = [...keySecrets(), ...patternSecrets()]
  const planned = secrets.map(secret => ({ secret, ...eventsFor(secret) }))
  const responses: string[] = []

  // One event per secret, then all of them again in one batch.
  const accepted: Array<{ id: string, redacted: string[] }> = []
  for (const { secret, event, redacted } of planned) {
    const res = await inject({ method: 'POST', url: '/audit-events', payload: event })
    t.equal(res.statusCode, 202, `${secret.rule} (${secret.key}): accepted ${res.body.slice(0, 200)}`)
    responses.push(res.body, JSON.stringify(res.headers))
    accepted.push({ id: res.json().id, redacted })
  }
  const batch = await inject({ method: 'POST', url: '/audit-events/batch', payload: { events: planned.map(p => p.event) } })
  t.equal(batch.statusCode, 202, 'the batch of all of them')
  responses.push(batch.body)
  batch.json().items.forEach((item: { id: string }, i: number) => accepted.push({ id: item.id, redacted: planned[i]!.redacted }))

  // Refusals carry secrets too: an unknown field, a duplicate key, a conflicting id.
  const conflictId = '0193a1b2-0000-7000-8000-00000000c0de'
  await inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ id: conflictId }) })
  for (const { secret, event } of planned) {
    const refusals = [
      await inject({ method: 'POST', url: '/audit-events', payload: { ...event, colour: secret.value } }),
      await inject({ method: 'POST', url: '/audit-events', payload: JSON.stringify(event).replace('"ok":"visible"', () => `"ok":"visible","ok":${JSON.stringify(secret.value)}`), headers: { 'content-type': 'application/json' } }),
      await inject({ method: 'POST', url: '/audit-events', payload: JSON.stringify(event).slice(0, -3), headers: { 'content-type': 'application/json' } }),
      await inject({ method: 'POST', url: '/audit-events', payload: { ...event, id: conflictId } }),
      await inject({ method: 'POST', url: '/audit-events/batch', payload: { events: [event, { ...event, actor: { type: 'user' } }] } })
    ]
    t.same(refusals.map(r => r.statusCode), [400, 400, 400, 409, 400], `${secret.rule} (${secret.key}): refused`)
    responses.push(...refusals.map(r => r.body))
  }
  // A request id that looks like a secret is not used (it would be on every log line).
  const awsLike = patternSecrets().find(s => s.rule === 'pattern:aws-access-key-id')!
  const withId = await inject({ method: 'POST', url: '/audit-events', payload: sampleEvent(), headers: { 'x-request-id': awsLike.value as string } })
  t.equal(withId.statusCode, 202)
  t.not(withId.headers['x-request-id'], awsLike.value, 'a secret-looking x-request-id is replaced')
  responses.push(JSON.stringify(withId.headers))
  secrets.push(awsLike)

  // Redis while the jobs wait, then again once the worker has stored them.
  const redisQueued = await dumpRedis(config.queuePrefix)
  t.match(redisQueued, DEFAULT_PLACEHOLDER, 'the queued jobs are in the dump')
  const worker = await createWorker(config, pino(loggerOptions('trace', 'audit-worker'), memoryLog(workerLines)))
  t.teardown(() => worker.close())
  const db = openDatabase(t, config.databaseUrl)
  const expectedRows = accepted.length + 2
  await waitFor(async () => await countRows(db) === expectedRows, { what: `${expectedRows} rows` })
  const redisStored = await dumpRedis(config.queuePrefix)

  // Reads give the records back: they must be the scrubbed ones.
  for (const url of ['/audit-events?limit=1000', '/audit-events/export', `/audit-events/${accepted[0]!.id}`, '/verify']) {
    const res = await inject({ method: 'GET', url })
    t.equal(res.statusCode, 200, `GET ${url}`)
    responses.push(res.body)
  }
  const dump = await dumpDatabase(config, t)
  await worker.close()
  await app.close()

  // The redactions are where they should be, and listed.
  const byId = new Map(dump.canonical.map(r => [r.id as string, r]))
  for (const { id, redacted } of accepted) {
    const record = byId.get(id)
    if (record === undefined) { t.fail(`row ${id} missing`); continue }
    for (const pointer of redacted) {
      if (valueAt(record, pointer) !== DEFAULT_PLACEHOLDER) t.fail(`${id}: ${pointer} is not redacted`)
      if (!(record.redactions as string[]).includes(pointer)) t.fail(`${id}: ${pointer} missing from redactions`)
    }
  }
  t.pass(`${accepted.length} stored events checked at ${accepted.reduce((n, a) => n + a.redacted.length, 0)} places`)

  const places: Record<string, string> = {
    'database rows (every table)': dump.text,
    'Redis, jobs queued': redisQueued,
    'Redis, after the worker': redisStored,
    'API log lines (trace)': apiLines.map(readable).join('\n'),
    'worker log lines (trace)': workerLines.map(readable).join('\n'),
    'HTTP answers': responses.join('\n')
  }
  t.ok(apiLines.length > 100, `${apiLines.length} API log lines captured`)
  t.pass(`${workerLines.length} worker log lines captured`)
  for (const secret of [...secrets, { rule: 'bootstrap admin key', key: 'authorization', value: TEST_ADMIN_KEY, needles: [TEST_ADMIN_KEY] }]) {
    for (const needle of secret.needles) {
      const found = Object.entries(places).filter(([, text]) => text.includes(needle)).map(([place]) => place)
      t.same(found, [], `${secret.rule} (${secret.key}): ${needle.slice(0, 12)}… appears nowhere`)
    }
  }
  // No key of the whole Redis instance is named after a secret either.
  const redis = new Redis(REDIS_URL)
  t.teardown(() => redis.quit())
  const allKeys: string[] = []
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 10_000)
    cursor = next
    allKeys.push(...keys)
  } while (cursor !== '0')
  for (const secret of secrets) {
    t.same(allKeys.filter(key => secret.needles.some(needle => key.includes(needle))), [], `${secret.rule} (${secret.key}): no Redis key named after it`)
  }
})

t.test('a malformed request\'s raw bytes never reach a log line', async t => {
  const config = await testConfig(t)
  const lines: string[] = []
  const app = await buildApp({ config, loggerInstance: pino(loggerOptions('trace', 'audit-api'), memoryLog(lines)) })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const secret = `Bearer ${b64url(randomBytes(24))}`
  for (const request of [
    `POST /audit-events HTTP/1.1\r\nHost: x\r\nAuthorization: ${secret}\r\nX-Long: ${'a'.repeat(20_000)}\r\n\r\n`,
    `POST /audit-events HTTP/1.1\r\nHost: x\r\nAuthorization: ${secret}\r\nNot A Header\r\n\r\n`
  ]) {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.on('error', () => {})
    socket.resume()
    socket.write(request)
    await waitFor(() => socket.destroyed || socket.readableEnded, { timeoutMs: 5000, what: 'the server to close' }).catch(() => {})
    socket.destroy()
  }
  await app.close()
  t.notOk(lines.map(readable).join('\n').includes(secret), 'the Authorization header of a refused request is not logged')
})

t.test('a key that is itself a secret is refused, and not echoed', async t => {
  const config = await testConfig(t)
  const app = await buildApp({ config })
  t.teardown(() => app.close())
  const token = 'gh' + 'p_' + alnum(36)
  const res = await app.inject({ method: 'POST', url: '/audit-events', headers: ADMIN_AUTH, payload: sampleEvent({ metadata: { owners: { [token]: 'u_1' } } }) })
  const redis = await dumpRedis(config.queuePrefix)
  t.equal(res.statusCode, 400)
  t.notOk(res.body.includes(token), 'the error does not echo the secret')
  t.notOk(redis.includes(token), 'nothing reached Redis')
})

t.test('issue 14: a member name that looks like a secret is refused at any length, and nothing is queued', async t => {
  const config = await testConfig(t, { SCRUB_EXTRA_PATTERNS: JSON.stringify(['EMP-[0-9]{6}']) })
  const app = await buildApp({ config })
  t.teardown(() => app.close())
  const card = luhnComplete('3' + '7' + digits(12))
  const names: Array<[string, string]> = [
    [card, 'payment-card-number'],
    [`redis://:${hex(2)}@h`, 'url-credentials'],
    [`?token=${hex(3)}`, 'url-secret-parameter'],
    [`EMP-${digits(6)}`, 'extra pattern 1']
  ]
  for (const [name, pattern] of names) {
    const single = await app.inject({ method: 'POST', url: '/audit-events', headers: ADMIN_AUTH, payload: sampleEvent({ metadata: { owners: { [name]: 'u_1' } } }) })
    t.equal(single.statusCode, 400, `${pattern}: refused`)
    t.same(single.json().errors, [{ field: '/metadata/owners/<key>', in: 'body', reason: `a member name looks like a secret (${pattern}); secrets are only redacted from values, so it is refused` }], `${pattern}: names the pointer`)
    t.notOk(single.body.includes(name), `${pattern}: the answer does not echo the name`)
    const batch = await app.inject({ method: 'POST', url: '/audit-events/batch', headers: ADMIN_AUTH, payload: { events: [sampleEvent(), sampleEvent({ metadata: { [name]: 1 } })] } })
    t.equal(batch.statusCode, 400, `${pattern}: the batch is refused`)
    t.equal(batch.json().errors[0].field, '/events/1/metadata/<key>', `${pattern}: the batch error names the event`)
    t.notOk(batch.body.includes(name), `${pattern}: the batch answer does not echo the name`)
    const redis = await dumpRedis(config.queuePrefix)
    t.notOk(redis.includes(name), `${pattern}: nothing reached Redis`)
  }
  t.notMatch(await dumpRedis(config.queuePrefix), /audit-events:(wait|[0-9a-f]{8}-)/, 'no job queued at all')
})
