import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import t, { type Test } from 'tap'
import { hashApiKey } from '../../src/auth/api-key.js'
import { CREATED_PREFIX } from '../../src/auth/key-resolver.js'
import { uuidV7 } from '../../src/ingest/uuid-v7.js'
import { buildTestApp, openDatabase, REDIS_URL, sampleEvent, startTestWorker, testConfig, waitFor, waitForQueueIdle } from '../helper.js'

// A hostile but ordinary client: random keys, invalid bodies, exports in a loop. Each limit
// must bite before the work it protects (a key lookup, a body parse, a read and its event).

const bearer = (key: string) => ({ authorization: `Bearer ${key}` })
const randomKey = () => `ask_${randomBytes(32).toString('base64url')}`

type App = Awaited<ReturnType<typeof buildTestApp>>

/** Counts the key lookups that reach PostgreSQL: the real store, its method wrapped. */
function countLookups (app: App): { readonly count: number } {
  const store = app.keyStore
  const original = store.findActiveByHash.bind(store)
  const counter = { count: 0 }
  store.findActiveByHash = async hash => {
    counter.count++
    return await original(hash)
  }
  return counter
}

async function createKey (t: Test, app: App, tenant: string, scopes: string[]): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/keys', payload: { tenant, name: scopes.join('+'), scopes } })
  t.equal(res.statusCode, 201, res.body)
  return res.json().key
}

t.test('random unknown keys from one address: after RATE_LIMIT_IP_MAX, 429 without a database query', async t => {
  const config = await testConfig(t, { RATE_LIMIT_IP_MAX: '5' })
  const app = await buildTestApp(t, config)
  const reader = await createKey(t, app, 'acme', ['events:read'])
  const lookups = countLookups(app)
  const from = (remoteAddress: string, key: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url: '/audit-events', remoteAddress, headers: { ...bearer(key), ...headers } })

  const statuses: number[] = []
  // X-Forwarded-For is not trusted by default (TRUST_PROXY=false): it cannot spread the count.
  for (let i = 0; i < 20; i++) statuses.push((await from('10.0.0.1', randomKey(), { 'x-forwarded-for': `192.0.2.${i}` })).statusCode)
  t.same(statuses, [...Array(5).fill(401), ...Array(15).fill(429)], 'the sixth failure from the address is refused')
  t.equal(lookups.count, 5, 'only the first five keys were looked up')

  const limited = await from('10.0.0.1', randomKey())
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().code, 'AUDIT_ERR_RATE_LIMITED')
  t.ok(Number(limited.headers['retry-after']) > 0, 'Retry-After says when to come back')
  t.equal((await app.inject({ method: 'GET', url: '/audit-events', remoteAddress: '10.0.0.1', headers: { authorization: '' } })).statusCode, 429, 'no key at all: refused too')
  t.equal(lookups.count, 5)

  t.equal((await from('10.0.0.2', randomKey())).statusCode, 401, 'another address is not affected')
  t.equal(lookups.count, 6)
  t.equal((await from('10.0.0.2', reader)).statusCode, 200, 'a valid key is looked up and cached')
  t.equal((await from('10.0.0.1', reader)).statusCode, 200, 'a key cached as valid still works from the limited address')
  t.equal((await app.inject({ method: 'GET', url: '/health/live', remoteAddress: '10.0.0.1' })).statusCode, 200, 'public routes are not limited')
})

t.test('TRUST_PROXY: the forwarded address is the client when the proxy is trusted', async t => {
  const config = await testConfig(t, { RATE_LIMIT_IP_MAX: '2', TRUST_PROXY: '127.0.0.1' })
  const app = await buildTestApp(t, config)
  const via = (client: string) => app.inject({ method: 'GET', url: '/audit-events', remoteAddress: '127.0.0.1', headers: { ...bearer(randomKey()), 'x-forwarded-for': client } })
  t.same([(await via('192.0.2.1')).statusCode, (await via('192.0.2.1')).statusCode, (await via('192.0.2.1')).statusCode], [401, 401, 429])
  t.equal((await via('192.0.2.2')).statusCode, 401, 'another client behind the same proxy is counted apart')
})

t.test('a repeated unknown key reaches the database once per API_KEY_UNKNOWN_CACHE_MS; a key created meanwhile works', async t => {
  const config = await testConfig(t, { RATE_LIMIT_IP_MAX: '1000' })
  const app = await buildTestApp(t, config)
  const other = await buildTestApp(t, config)
  const lookups = countLookups(app)
  const key = randomKey()
  for (let i = 0; i < 10; i++) t.equal((await app.inject({ method: 'GET', url: '/audit-events', headers: bearer(key) })).statusCode, 401)
  t.equal(lookups.count, 1, 'one query for ten tries of the same key')

  // The key comes to exist (here written straight into the table, as no API call can choose a
  // key) and its creation is announced as the API announces the keys it creates.
  const db = openDatabase(t, config.databaseUrl)
  const hash = hashApiKey(key)
  await db.insertInto('api_keys').values({ id: uuidV7(), tenant: 'acme', name: 'late', scopes: ['events:read'], key_hash: hash, key_prefix: key.slice(0, 12), revoked_at: null, revoked_reason: null }).execute()
  const publisher = new Redis(REDIS_URL)
  t.teardown(() => publisher.quit())
  await publisher.publish(`${config.queuePrefix}:keys:revoked`, CREATED_PREFIX + hash.toString('hex'))
  await waitFor(async () => (await app.inject({ method: 'GET', url: '/audit-events', headers: bearer(key) })).statusCode === 200, { what: 'the created key to be accepted' })
  t.equal(lookups.count, 2, 'looked up again once announced')

  // The API announces the keys it creates on that channel.
  const subscriber = new Redis(REDIS_URL)
  t.teardown(() => subscriber.disconnect())
  const messages: string[] = []
  subscriber.on('message', (_channel: string, message: string) => messages.push(message))
  await subscriber.subscribe(`${config.queuePrefix}:keys:revoked`)
  const created = await other.inject({ method: 'POST', url: '/keys', payload: { tenant: 'acme', name: 'new', scopes: ['events:read'] } })
  const createdHash = hashApiKey(created.json().key).toString('hex')
  await waitFor(() => messages.includes(CREATED_PREFIX + createdHash), { what: 'the creation announcement' })
})

t.test('a key that sends only invalid or too large bodies, or uses a scope it lacks, is limited', async t => {
  const config = await testConfig(t, { RATE_LIMIT_MAX: '5', BODY_LIMIT_BYTES: '2048', BATCH_BODY_LIMIT_BYTES: '4096' })
  const app = await buildTestApp(t, config)
  const writer = await createKey(t, app, 'acme', ['events:write'])
  const post = (payload: string, url = '/audit-events') => app.inject({ method: 'POST', url, headers: { ...bearer(writer), 'content-type': 'application/json' }, payload })
  const big = JSON.stringify({ events: [sampleEvent({ metadata: { pad: 'x'.repeat(8192) } })] })
  const statuses = [
    (await post('{"action":')).statusCode,
    (await post(JSON.stringify({ action: 'x' }))).statusCode,
    (await post(big, '/audit-events/batch')).statusCode,
    (await post(big, '/audit-events/batch')).statusCode,
    (await app.inject({ method: 'GET', url: '/audit-events', headers: bearer(writer) })).statusCode
  ]
  t.same(statuses, [400, 400, 413, 413, 403], 'five refused requests')
  const limited = await post(JSON.stringify(sampleEvent()))
  t.equal(limited.statusCode, 429, 'they used up the key\'s limit: a valid event is refused too')
  t.equal(limited.json().code, 'AUDIT_ERR_RATE_LIMITED')
  t.equal(limited.headers['x-ratelimit-limit'], '5')
  t.equal(limited.headers['x-ratelimit-remaining'], '0')
  t.ok(Number(limited.headers['retry-after']) > 0)
  t.equal(limited.headers['x-ratelimit-reset'], limited.headers['retry-after'])
  t.equal((await post(big, '/audit-events/batch')).statusCode, 429, 'refused before its body is read (not 413)')
})

t.test('an events:read key exporting in a loop: at most OWN_ACCESS_MAX own-access events a minute', async t => {
  const config = await testConfig(t, { OWN_ACCESS_MAX: '3', RATE_LIMIT_EXPENSIVE_WEIGHT: '10' })
  const app = await buildTestApp(t, config)
  const reader = await createKey(t, app, 'acme', ['events:read'])
  const get = (url: string) => app.inject({ method: 'GET', url, headers: bearer(reader) })

  const first = await get('/audit-events/export')
  t.equal(first.statusCode, 200)
  t.equal(Number(config.rateLimitMax) - Number(first.headers['x-ratelimit-remaining']), 10, 'an export counts as RATE_LIMIT_EXPENSIVE_WEIGHT requests')
  const statuses = [first.statusCode]
  for (let i = 0; i < 9; i++) statuses.push((await get(i % 2 === 0 ? '/audit-events/export' : '/verify')).statusCode)
  t.same(statuses, [200, 200, 200, ...Array(7).fill(429)], 'exports and verifications share the limit')
  const refused = await get('/audit-events/export')
  t.equal(refused.json().code, 'AUDIT_ERR_RATE_LIMITED')
  t.ok(Number(refused.headers['retry-after']) > 0)
  t.equal((await get('/audit-events')).statusCode, 200, 'other reads go on')

  await startTestWorker(t, config)
  await waitForQueueIdle(app.eventQueue, 'the own-access events to be stored')
  const db = openDatabase(t, config.databaseUrl)
  const rows = await db.selectFrom('audit_events').select('action').where('tenant', '=', 'acme').execute()
  t.equal(rows.filter(r => r.action === 'audit.export' || r.action === 'audit.verify').length, 3, 'three own-access events appended, not ten')
})
