import t from 'tap'
import { parsePointer } from '../../src/core/json-pointer.js'
import {
  compileScrubber,
  DEFAULT_PLACEHOLDER,
  DEFAULT_SECRET_KEYS,
  DEFAULT_SECRET_PATTERNS,
  scrubSecrets,
} from '../../src/core/scrub-secrets.js'
import { uuidV7 } from '../../src/core/uuid-v7.js'

// Token-shaped samples are assembled at runtime so repository secret scanners
// do not mistake this file for a leak.
const alnum = (length: number): string => 'EXAMPLE0example9'.repeat(8).slice(0, length)

/** Realistic samples for every default value pattern, keyed by pattern name. */
const SAMPLES: Record<string, string[]> = {
  'authorization-header': [
    'Bearer mF_9.B5f-4.1JqM',
    'Authorization: Bearer 2YotnFZFEjr1zCsicMWpAA',
    'Basic dXNlcjpwYXNzd29yZA==',
    'bearer abc123def456ghi789',
  ],
  jwt: [
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    'id_token=eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbm4ifQ.',
  ],
  'pem-private-key': [
    '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx0x0x0x\n-----END RSA PRIVATE KEY-----',
    '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----',
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----',
    'key: -----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----',
  ],
  'aws-access-key-id': ['AKIAIOSFODNN7EXAMPLE', 'using ASIAY34FZKBOKMUTVV7A for the session'],
  'url-credentials': [
    'postgres://u:p@h/db',
    'redis://:s3cret@cache:6379/0',
    'mongodb+srv://admin:hunter2@cluster0.example.net/test',
    'connect to amqp://app:pw@mq:5672/ failed',
  ],
  'payment-card-number': [
    '4111 1111 1111 1111',
    '4111-1111-1111-1111',
    '5555555555554444',
    '378282246310005',
    'paid with card 4242424242424242 today',
  ],
  'github-token': ['ghp_' + alnum(36), 'gho_' + alnum(36), 'github_pat_' + alnum(22) + '_' + alnum(59)],
  'slack-token': ['xox' + 'b-' + '1234567890-1234567890123-' + alnum(24), 'token xox' + 'p-' + alnum(40)],
  'stripe-secret-key': ['sk_' + 'live_' + alnum(24), 'sk_' + 'test_' + alnum(24)],
}

/** Strings that must survive untouched. */
const ORDINARY_STRINGS = [
  '',
  'hello world',
  'user.login.succeeded',
  'document.share.revoked',
  uuidV7(),
  'f47ac10b-58cc-4372-a567-0e02b2c3d479',
  '12345678-1234-1234-1234-123456789012',
  '2024-11-26T22:58:00.000Z',
  '2024-11-26T22:58:00.123456+01:00',
  '42',
  '12345',
  '123456789012',
  '4111 1111 1111 1112',
  '4111111111111112',
  '1732660000000',
  'Bearer',
  'the Bearer of bad news',
  'Bearer authentication required',
  'Basic auth is disabled',
  'https://example.com:8443/path?q=1',
  'postgres://localhost:5432/db',
  'mailto:ann@example.com',
  'ann@example.com',
  'eyJ',
  'eyJhbGciOiJIUzI1NiJ9',
  '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----',
  '-----BEGIN CERTIFICATE-----',
  'akiaiosfodnn7example',
  'disk_test_performance_metrics',
  'sk_' + 'live_short',
  'ghp_short',
  'token',
  'password',
  '[REDACTED] by policy',
  '+1 555 123 4567',
]

const SENTINEL = 'sentinel-value-42'

/** Ways to embed something, each with the pointer prefix where it ends up. */
interface Placement {
  name: string
  wrap(inner: Record<string, unknown>): unknown
  prefix: string
}

const PLACEMENTS: Placement[] = [
  { name: 'top level', wrap: (inner) => inner, prefix: '' },
  {
    name: 'nested 5 levels',
    wrap: (inner) => ({ a: { b: { c: { d: { e: inner } } } } }),
    prefix: '/a/b/c/d/e',
  },
  { name: 'inside an array', wrap: (inner) => ({ list: [1, 'x', inner] }), prefix: '/list/2' },
  {
    name: 'in an array of objects',
    wrap: (inner) => ({ items: [{ id: 1 }, { id: 2, meta: [null, inner] }] }),
    prefix: '/items/1/meta/1',
  },
  { name: 'root array', wrap: (inner) => [inner], prefix: '/0' },
]

/** The assertions the helper needs; both the root `t` and subtests provide them. */
type Asserts = Pick<typeof t, 'same' | 'ok' | 'notOk' | 'equal'>

function valueAt(root: unknown, pointer: string): unknown {
  let at = root
  for (const token of parsePointer(pointer)) at = (at as Record<string, unknown>)[token]
  return at
}

/** Scrubs `doc` and checks the exact pointers, the placeholders, and that the input is untouched. */
function expectScrubbed(t: Asserts, doc: unknown, secret: string, pointers: string[], label: string): void {
  const before = JSON.stringify(doc)
  const { value, redactions } = scrubSecrets(doc)
  t.same(redactions, pointers, `${label}: pointers`)
  t.notOk(JSON.stringify(value).includes(JSON.stringify(secret).slice(1, -1)), `${label}: secret gone`)
  for (const pointer of pointers) t.equal(valueAt(value, pointer), DEFAULT_PLACEHOLDER, `${label}: placeholder at ${pointer}`)
  t.equal(JSON.stringify(doc), before, `${label}: input not mutated`)
}

t.test('every default pattern has samples and matches them', async (t) => {
  t.same(Object.keys(SAMPLES).sort(), DEFAULT_SECRET_PATTERNS.map((p) => p.name).sort())
  for (const pattern of DEFAULT_SECRET_PATTERNS) {
    for (const sample of SAMPLES[pattern.name] ?? []) t.ok(pattern.test(sample), `${pattern.name} matches ${sample}`)
  }
})

t.test('secret values are redacted wherever they appear', async (t) => {
  for (const [name, samples] of Object.entries(SAMPLES)) {
    for (const sample of samples) {
      const label = `${name} ${JSON.stringify(sample).slice(0, 40)}`
      expectScrubbed(t, sample, sample, [''], `${label} as root`)
      for (const place of PLACEMENTS) {
        expectScrubbed(t, place.wrap({ note: sample }), sample, [`${place.prefix}/note`], `${label} ${place.name}`)
      }
      expectScrubbed(t, { list: ['fine', sample, 'also fine'] }, sample, ['/list/1'], `${label} array element`)
      expectScrubbed(t, [[1, [sample]]], sample, ['/0/1/0'], `${label} nested arrays`)
    }
  }
})

t.test('secret keys have their whole value redacted wherever they appear', async (t) => {
  for (const rule of DEFAULT_SECRET_KEYS) {
    const variants = [rule.key, rule.key.toUpperCase()]
    if (rule.match === 'suffix') variants.push(`user_${rule.key}`, `X-${rule.key}`, `new.${rule.key}`)
    for (const key of variants) {
      for (const place of PLACEMENTS) {
        const doc = place.wrap({ before: 'ok', [key]: SENTINEL, after: 7 })
        expectScrubbed(t, doc, SENTINEL, [`${place.prefix}/${key}`], `key ${key} ${place.name}`)
      }
      const nested = { [key]: { deeper: [SENTINEL, { more: SENTINEL }] } }
      expectScrubbed(t, nested, SENTINEL, [`/${key}`], `key ${key} with an object value`)
      expectScrubbed(t, { [key]: 123456 }, '123456', [`/${key}`], `key ${key} with a number value`)
    }
  }
})

t.test('key matching ignores case, separators and spaces', async (t) => {
  const keys = ['Authorization', 'X-API-Key', 'client_secret', 'Set-Cookie', 'AWS_SECRET_ACCESS_KEY',
    'user.password', 'new password', 'refresh_token', 'PIN', 'SSN', 'Auth', 'Private-Key', 'card number']
  for (const key of keys) {
    expectScrubbed(t, { [key]: SENTINEL }, SENTINEL, [`/${key}`], key)
  }
})

t.test('ordinary keys are kept', async (t) => {
  const keys = ['token_count', 'token_type', 'prompt_tokens', 'tokenizer', 'session_id', 'auth_method',
    'oauth', 'oauth_provider', 'author', 'authority', 'password_policy', 'password_changed_at', 'shipping',
    'mapping', 'pinned', 'ssn_last4', 'secretary', 'cookie_consent', 'card_type', 'credit_card_type',
    'access_key_id', 'actor', 'action', 'id']
  const doc = Object.fromEntries(keys.map((key) => [key, 'kept']))
  const { value, redactions } = scrubSecrets(doc)
  t.same(redactions, [])
  t.same(value, doc)
  t.same(Object.keys(value as object), keys, 'key order preserved')
})

t.test('ordinary strings are kept', async (t) => {
  for (const text of ORDINARY_STRINGS) {
    const { value, redactions } = scrubSecrets({ text, list: [text] })
    t.same(redactions, [], JSON.stringify(text))
    t.same(value, { text, list: [text] })
  }
})

t.test('numbers, booleans and null are kept, even long digit runs', async (t) => {
  const doc = { amount: 4111111111111111, ok: true, none: null, at: 1_732_660_000_000, ratio: 0.5 }
  t.same(scrubSecrets(doc), { value: doc, redactions: [] })
})

t.test('null under a secret key is kept: it carries no secret', async (t) => {
  t.same(scrubSecrets({ password: null, token: '' }), {
    value: { password: null, token: DEFAULT_PLACEHOLDER },
    redactions: ['/token'],
  })
})

t.test('all redactions of one document come back in document order', async (t) => {
  const jwt = SAMPLES.jwt![0]!
  const doc = {
    first: jwt,
    deep: { a: { b: { password: 'x' }, c: ['ok', 'postgres://u:p@h/db'] } },
    list: [{ token: { any: 'thing' } }, 'AKIAIOSFODNN7EXAMPLE', ['4111 1111 1111 1111']],
    last: 'fine',
  }
  const { value, redactions } = scrubSecrets(doc)
  t.same(redactions, ['/first', '/deep/a/b/password', '/deep/a/c/1', '/list/0/token', '/list/1', '/list/2/0'])
  t.same(Object.keys(value as object), ['first', 'deep', 'list', 'last'])
  t.equal((value as typeof doc).last, 'fine')
})

t.test('pointers escape ~ and /', async (t) => {
  const { redactions } = scrubSecrets({ 'a/b': { 'x~password': 'p', list: ['Bearer abcdefgh12345'] } })
  t.same(redactions, ['/a~1b/x~0password', '/a~1b/list/0'])
})

t.test('scrubbing is idempotent', async (t) => {
  const doc = {
    password: 'hunter2',
    already: DEFAULT_PLACEHOLDER,
    token: DEFAULT_PLACEHOLDER,
    notes: ['Bearer abcdefgh12345', DEFAULT_PLACEHOLDER, 'ok'],
    nested: { secret: { a: 1 } },
  }
  const once = scrubSecrets(doc)
  t.same(once.redactions, ['/password', '/notes/0', '/nested/secret'])
  const twice = scrubSecrets(once.value)
  t.same(twice.value, once.value)
  t.same(twice.redactions, [])
})

t.test('does not pollute prototypes and keeps __proto__ as own data', async (t) => {
  const input = JSON.parse(
    '{"__proto__":{"polluted":1,"password":"p"},"constructor":{"prototype":{"x":1}},"list":[{"__proto__":{"y":2}}]}',
  )
  const { value, redactions } = scrubSecrets(input)
  const out = value as Record<string, unknown>
  t.equal(({} as Record<string, unknown>).polluted, undefined)
  t.equal(({} as Record<string, unknown>).x, undefined)
  t.equal(({} as Record<string, unknown>).y, undefined)
  t.equal(Object.getPrototypeOf(out), Object.prototype, 'output is a normal object')
  t.ok(Object.hasOwn(out, '__proto__'))
  t.ok(Object.hasOwn(out, 'constructor'))
  t.same(Object.keys(out), ['__proto__', 'constructor', 'list'])
  t.same(redactions, ['/__proto__/password'])
  const json = JSON.stringify(out)
  t.ok(json.includes('"__proto__":{"polluted":1,"password":"[REDACTED]"}'))
  t.ok(json.includes('"constructor":{"prototype":{"x":1}}'))
  t.ok(json.includes('"list":[{"__proto__":{"y":2}}]'))
  t.same(JSON.parse(json), JSON.parse(JSON.stringify(input).replace('"p"', '"[REDACTED]"')))
})

t.test('deep input does not overflow the stack', async (t) => {
  let arrays: unknown = 'Bearer abcdefgh12345'
  for (let i = 0; i < 10_000; i++) arrays = [arrays]
  const scrubbedArrays = scrubSecrets(arrays)
  t.same(scrubbedArrays.redactions, ['/0'.repeat(10_000)])

  let objects: unknown = { password: 'p' }
  for (let i = 0; i < 100_000; i++) objects = { a: objects }
  const scrubbedObjects = scrubSecrets(objects)
  t.equal(scrubbedObjects.redactions.length, 1)
  t.equal(scrubbedObjects.redactions[0], `${'/a'.repeat(100_000)}/password`)
})

t.test('cyclic input is rejected instead of looping', async (t) => {
  const cyclic: Record<string, unknown> = { a: 1 }
  cyclic.self = { back: cyclic }
  t.throws(() => scrubSecrets(cyclic), TypeError)
  // A shared, non-cyclic reference is fine.
  const shared = { password: 'p' }
  t.same(scrubSecrets({ x: shared, y: shared }).redactions, ['/x/password', '/y/password'])
})

t.test('objects with toJSON are scrubbed as JSON.stringify sees them', async (t) => {
  const { value } = scrubSecrets({ at: new Date(0), url: new URL('postgres://u:p@h/db') })
  t.same(value, { at: '1970-01-01T00:00:00.000Z', url: DEFAULT_PLACEHOLDER })
})

t.test('options: placeholder, extra keys and extra patterns', async (t) => {
  const scrub = compileScrubber({
    placeholder: '***',
    extraKeys: ['employeeNumber', { key: 'signature', match: 'suffix' }],
    extraPatterns: [/internal-\d{4}/g, /^x1$/],
  })
  const doc = {
    employee_number: 7,
    manager_employee_number: 8,
    requestSignature: 'abc',
    ref: 'see internal-1234',
    short: 'x1',
    password: 'p',
  }
  const first = scrub(doc)
  t.same(first.value, {
    employee_number: '***',
    manager_employee_number: 8,
    requestSignature: '***',
    ref: '***',
    short: '***',
    password: '***',
  })
  t.same(first.redactions, ['/employee_number', '/requestSignature', '/ref', '/short', '/password'])
  // A global regex must not carry lastIndex over to the next call.
  t.same(scrub(doc).redactions, first.redactions)
  t.same(scrub(first.value).redactions, [], 'idempotent with a custom placeholder')
  t.same(scrubSecrets(doc, { placeholder: '***' }).redactions, ['/password'])
})

t.test('patterns stay linear on adversarial input', async (t) => {
  const inputs = [
    'eyJ'.repeat(50_000),
    'eyJaaaaaaaaa.'.repeat(20_000),
    'eyJaaaaaaaaa.bb'.repeat(20_000),
    '://:'.repeat(40_000),
    'a://b:c'.repeat(30_000),
    '4 '.repeat(80_000),
    '4-'.repeat(80_000),
    '-----BEGIN '.repeat(15_000),
    'Bearer '.repeat(20_000),
    'Bearer aaaaaaaaaaaa '.repeat(10_000),
    'AKIA'.repeat(40_000),
    'ghp_'.repeat(40_000),
    'xoxb-'.repeat(30_000),
    'sk_live_'.repeat(20_000),
    'a'.repeat(200_000),
  ]
  const started = performance.now()
  for (const input of inputs) scrubSecrets({ input })
  const elapsed = performance.now() - started
  t.ok(elapsed < 2000, `all adversarial inputs scrubbed in ${elapsed.toFixed(0)} ms`)
})
