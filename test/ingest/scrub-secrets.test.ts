import t from 'tap'
import { parsePointer } from '../core/helpers/parse-pointer.js'
import {
  compileScrubber,
  DEFAULT_PLACEHOLDER,
  DEFAULT_SECRET_PATTERNS,
  DEFAULT_SECRET_WORDS,
  isSecretName,
  scrubSecrets,
  SecretMemberNameError,
  secretPatternOfName,
} from '../../src/ingest/scrub-secrets.js'
import { uuidV7 } from '../../src/ingest/uuid-v7.js'

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
    '4111\t1111\t1111\t1111',
    '4111.1111.1111.1111',
    '4111\u00a01111\u00a01111\u00a01111',
    '3782\u202f822463\u202f10005',
    '5555555555554444',
    '378282246310005',
    'paid with card 4242424242424242 today',
  ],
  'github-token': ['ghp_' + alnum(36), 'gho_' + alnum(36), 'github_pat_' + alnum(22) + '_' + alnum(59)],
  'slack-token': ['xox' + 'b-' + '1234567890-1234567890123-' + alnum(24), 'token xox' + 'p-' + alnum(40)],
  'stripe-secret-key': ['sk_' + 'live_' + alnum(24), 'sk_' + 'test_' + alnum(24), 'wh' + 'sec_' + alnum(32)],
  'slack-webhook-url': ['https://hooks.slack' + '.com/services/T0000/B0000/' + alnum(24)],
  'openai-api-key': ['sk-' + 'proj-' + alnum(60), 'sk-' + 'svcacct-' + alnum(40), 'sk-' + alnum(48), 'key sk-' + 'admin-' + alnum(30) + ' here'],
  'anthropic-api-key': ['sk-' + 'ant-api03-' + alnum(80) + '-' + alnum(12) + 'AA'],
  'google-api-key': ['AI' + 'za' + alnum(35), 'maps?key=AI' + 'za' + alnum(35)],
  'google-oauth-secret': ['GOC' + 'SPX-' + alnum(28), 'ya' + '29.' + alnum(60)],
  'gitlab-token': ['gl' + 'pat-' + alnum(20), 'gl' + 'rt-' + alnum(24)],
  'npm-token': ['np' + 'm_' + alnum(36)],
  'sendgrid-api-key': ['S' + 'G.' + alnum(22) + '.' + alnum(43)],
  'huggingface-token': ['h' + 'f_' + alnum(34)],
  'pypi-token': ['py' + 'pi-AgEIcHlwaS5vcmc' + alnum(60)],
  'digitalocean-token': ['do' + 'p_v1_' + 'a0b1c2d3e4f5'.repeat(6).slice(0, 64)],
  'url-secret-parameter': [
    'https://app.example.com/cb?access_token=abc123',
    'https://app.example.com/cb#id_token=abc123&state=x',
    'https://api.example.com/v1?token=t0k',
    '/files/1?key=k1',
    'https://bucket.s3.amazonaws.com/o?X-Amz-Signature=abcdef&X-Amz-Expires=60',
    'https://example.com/x?sig=abc',
    'https://example.com/login?user=ann&password=hunter2',
    'https://example.com/oauth?client_secret=s3',
    'grant_type=refresh_token&refresh_token=abc',
    'pwd=x',
  ],
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
  '3.14159265358979',
  '4111.1.1111111111',
  'https://example.com/search?q=password&page=2',
  'https://example.com/?token=&next=/',
  'https://example.com/?sort_key=name&tokens_used=5',
  'a=b&c=d',
  'sk-learn',
  'task-' + 'a'.repeat(40),
  'SG.example',
  'npm_package_version',
  'the password is required',
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

function valueAt (root: unknown, pointer: string): unknown {
  let at = root
  for (const token of parsePointer(pointer)) at = (at as Record<string, unknown>)[token]
  return at
}

/** Scrubs `doc` and checks the exact pointers, the placeholders, and that the input is untouched. */
function expectScrubbed (t: Asserts, doc: unknown, secret: string, pointers: string[], label: string): void {
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

/** How a producer would spell a name holding each built-in word. */
function spellingsOf (rule: { word: string, match: string }): string[] {
  const base = [rule.word, rule.word.toUpperCase(), `user_${rule.word}`, `X-${rule.word}`, `new.${rule.word}`, `${rule.word}_value`, `${rule.word}2`]
  if (rule.match !== 'word') base.push(`my${rule.word}`)
  if (rule.match === 'contains') base.push(`my${rule.word}hash`)
  return base
}

t.test('secret keys have their whole value redacted wherever they appear', async (t) => {
  for (const rule of DEFAULT_SECRET_WORDS) {
    for (const key of spellingsOf(rule)) {
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

// Issue 14: each of these was stored in clear.
const SECRET_NAMES = [
  'password_confirmation', 'password_new', 'passcode', 'pin_code', 'cvv2', 'social_security_number', 'credentials',
  'otp', 'secret_answer', 'token_value',
  // sensitive words anywhere, in any spelling
  'userPassword', 'x-api-key', 'db_pass', 'APIKey', 'apiKey', 'XApiKey', 'newPassword2', 'mfa_code', 'security_code',
  'creditCardNumber', 'CARD_NUMBER', 'sessionToken', 'access_tokens', 'webhookSecret', 'one_time_password',
  'basic_auth', 'auth_token', 'auth_code', 'client-credentials', 'totp_seed', 'password_hash', 'token_set',
  // the allow list does not hide a secret word after a descriptor, nor a descriptor followed by more
  'count_token', 'token_count_value', 'password_policy_text', 'policy_password', 'ssn_last4_full',
]

// Names that describe a secret rather than hold one: kept (the allow list).
const DESCRIPTIVE_NAMES = [
  'token_count', 'tokens_used', 'max_tokens', 'prompt_tokens', 'completion_tokens', 'token_type', 'tokenizer',
  'password_policy', 'password_changed_at', 'passwordLength', 'password_expires_at', 'password_min_length',
  'auth_method', 'auth_provider', 'authType', 'oauth', 'OAuth', 'OAuthProvider', 'access_key_id', 'ssn_last4',
  'credit_card_type', 'cookie_consent', 'secret_name', 'token_expires_at', 'mfa_enabled', 'otp_attempts',
]

t.test('issue 14 key names: sensitive words anywhere are redacted', async (t) => {
  for (const key of SECRET_NAMES) {
    t.ok(isSecretName(key), `${key} is sensitive`)
    expectScrubbed(t, { a: { [key]: SENTINEL } }, SENTINEL, [`/a/${key}`], key)
  }
})

// Each kept name next to a near twin that holds the secret: the allow list cannot swallow it.
const TWINS: Array<[string, string]> = [
  ['token_count', 'token_value'], ['token_type', 'token_types_value'], ['password_policy', 'password_policy_text'],
  ['password_changed_at', 'password_changed_to'], ['auth_method', 'auth_code'], ['access_key_id', 'access_key'],
  ['ssn_last4', 'ssn'], ['secret_name', 'secret_answer'], ['otp_attempts', 'otp_code'], ['credit_card_type', 'credit_card'],
  ['OAuthProvider', 'OAuthToken'], ['max_tokens', 'max_token'],
]

t.test('the allow list keeps descriptive names, and only those', async (t) => {
  for (const key of DESCRIPTIVE_NAMES) {
    t.notOk(isSecretName(key), `${key} is kept`)
    t.same(scrubSecrets({ [key]: 'kept' }).redactions, [], key)
    t.ok(isSecretName(`${key}_password`), `${key}_password is sensitive`)
  }
  for (const [kept, secret] of TWINS) {
    t.notOk(isSecretName(kept), `${kept} is kept`)
    t.ok(isSecretName(secret), `${secret} is redacted`)
  }
})

t.test('ordinary keys are kept', async (t) => {
  const keys = ['token_count', 'token_type', 'prompt_tokens', 'tokenizer', 'session_id', 'auth_method',
    'oauth', 'oauth_provider', 'author', 'authority', 'password_policy', 'password_changed_at', 'shipping',
    'mapping', 'pinned', 'ssn_last4', 'secretary', 'cookie_consent', 'card_type', 'credit_card_type',
    'access_key_id', 'actor', 'action', 'id', 'compass', 'passenger', 'bypass', 'passport_country', 'topic',
    'keyboard', 'monkey', 'spinner', 'credit_limit', 'security_level']
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
    '{"__proto__":{"polluted":1,"password":"p"},"constructor":{"prototype":{"x":1}},"list":[{"__proto__":{"y":2}}]}'
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

t.test('issue 14 values: URL parameters, split card numbers and provider tokens are redacted', async (t) => {
  const cases: Array<[string, string]> = [
    ['url-secret-parameter', 'https://app.example.com/cb?access_token=abc123'],
    ['url-secret-parameter', 'https://api.example.com/v1/items?token=abc'],
    ['url-secret-parameter', 'https://maps.example.com/api?key=abc'],
    ['url-secret-parameter', 'https://cdn.example.com/f.png?exp=1&sig=abc'],
    ['url-secret-parameter', 'https://example.com/login?password=hunter2'],
    ['url-secret-parameter', 'https://example.com/oauth/token?client_secret=abc&grant_type=x'],
    ['url-secret-parameter', 'https://example.com/?api_key=abc'],
    ['url-secret-parameter', 'callback#access_token=abc&token_type=bearer'],
    ['payment-card-number', '4111\t1111\t1111\t1111'],
    ['payment-card-number', '4111.1111.1111.1111'],
    ['payment-card-number', '4111\u00a01111\u00a01111\u00a01111'],
    ['payment-card-number', 'amex 3782.822463.10005 on file'],
    ['openai-api-key', 'sk-' + 'proj-' + alnum(60)],
    ['anthropic-api-key', 'sk-' + 'ant-api03-' + alnum(80)],
    ['google-api-key', 'AI' + 'za' + alnum(35)],
    ['gitlab-token', 'gl' + 'pat-' + alnum(20)],
    ['npm-token', 'np' + 'm_' + alnum(36)],
    ['sendgrid-api-key', 'S' + 'G.' + alnum(22) + '.' + alnum(43)],
  ]
  for (const [pattern, value] of cases) {
    t.ok(DEFAULT_SECRET_PATTERNS.find((p) => p.name === pattern)!.test(value), `${pattern}: ${JSON.stringify(value)}`)
    expectScrubbed(t, { note: value }, value, ['/note'], JSON.stringify(value))
  }
  // Luhn still decides: the same shapes with a wrong check digit are kept.
  for (const value of ['4111\t1111\t1111\t1112', '4111.1111.1111.1112', '4111\u00a01111\u00a01111\u00a01112']) {
    t.same(scrubSecrets({ note: value }).redactions, [], JSON.stringify(value))
  }
})

t.test('issue 14 member names: a name that looks like a secret is refused, whatever its length', async (t) => {
  const names: Array<[string, string]> = [
    ['378282246310005', 'payment-card-number'],
    ['4111 1111 1111 1111', 'payment-card-number'],
    ['redis://:pw@h', 'url-credentials'],
    ['u://a:b@h', 'url-credentials'],
    ['pwd=x', 'url-secret-parameter'],
    ['/cb?token=abc', 'url-secret-parameter'],
    ['AKIAIOSFODNN7EXAMPLE', 'aws-access-key-id'],
    ['Bearer abcdefgh12345', 'authorization-header'],
    ['gl' + 'pat-' + alnum(20), 'gitlab-token'],
  ]
  for (const [name, pattern] of names) {
    t.equal(secretPatternOfName(name), pattern, `${name}: ${pattern}`)
    for (const [doc, pointer] of [[{ [name]: 1 }, '/<key>'], [{ a: [{ b: { [name]: 'x' } }] }, '/a/0/b/<key>'], [[[{ [name]: 1 }]], '/0/0/<key>']] as const) {
      const error = t.throws(() => scrubSecrets(doc)) as SecretMemberNameError
      t.type(error, SecretMemberNameError)
      t.equal(error.pointer, pointer)
      t.equal(error.pattern, pattern)
      t.notOk(error.message.includes(name), 'the message does not repeat the name')
    }
  }
  // Under a redacted value nothing is stored, names included: nothing to refuse.
  t.same(scrubSecrets({ password: { 378282246310005: 1 } }).redactions, ['/password'])
  for (const name of ['ok', 'id', '12345', 'user_password', 'a=b', 'hello world', '2024-11-26', '1732660000000']) {
    t.equal(secretPatternOfName(name), undefined, name)
    t.doesNotThrow(() => scrubSecrets({ [name]: 1 }), name)
  }
  // Operators' patterns apply to names too.
  const scrub = compileScrubber({ extraPatterns: [/EMP-\d{4}/] })
  const error = t.throws(() => scrub({ list: { 'EMP-1234': 'x' } })) as SecretMemberNameError
  t.equal(error.pointer, '/list/<key>')
  t.equal(error.pattern, 'extra pattern 1')
})

// One string of about `size` characters per shape, aimed at every pattern's
// quantifiers: long runs that almost match, many almost-starts, separators.
function adversarialInputs (size: number): Array<[string, string]> {
  const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size)
  return [
    ['digits with spaces', fill('4 ')], ['digits with dashes', fill('4-')], ['digits with tabs', fill('4\t')],
    ['digits with dots', fill('4.')], ['digits with nbsp', fill('4\u00a0')], ['digit run', fill('4')],
    ['card groups', fill('4111 1111 1111 111 ')], ['dotted groups', fill('4111.')],
    ['eyJ prefixes', fill('eyJ')], ['almost JWTs', fill('eyJaaaaaaaaa.')], ['JWT parts', fill('eyJaaaaaaaaa.bb')],
    ['base64 run', fill('QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkrLw')], ['base64url run', fill('abcDEF-_012')],
    ['url schemes', fill('://:')], ['url users', fill('a://b:c')], ['pem starts', fill('-----BEGIN ')],
    ['bearers', fill('Bearer ')], ['bearer words', fill('Bearer aaaaaaaaaaaa ')], ['AKIA', fill('AKIA')],
    ['ghp_', fill('ghp_')], ['xoxb-', fill('xoxb-')], ['sk_live_', fill('sk_live_')], ['whsec_', fill('whsec_')],
    ['sk- then a run', 'sk-' + fill('a')], ['sk- repeated', fill('sk-')], ['sk-proj- repeated', fill('sk-proj-')],
    ['sk-ant- then a run', 'sk-ant-' + fill('a')], ['AIza', fill('AIza')], ['glpat-', fill('glpat-')],
    ['npm_', fill('npm_')], ['SG.', fill('SG.')], ['SG. parts', fill('SG.aaaaaaaaaaaaaaaa.')], ['hf_', fill('hf_')],
    ['pypi-AgE', fill('pypi-AgE')], ['dop_v1_', fill('dop_v1_')], ['ya29.', fill('ya29.')], ['GOCSPX-', fill('GOCSPX-')],
    ['slack hooks', fill('hooks.slack.com/services/')],
    ['empty parameters', fill('?a=&a=&')], ['parameters', fill('&a=1')], ['long parameter name', '?' + fill('a') + '=1'],
    ['equals run', fill('=')], ['name=value runs', fill('a=a')], ['secret-looking names without values', fill('?token=&')],
    ['a run', fill('a')],
  ]
}

t.test('patterns stay linear on 100 KB adversarial strings', async (t) => {
  const scrub = compileScrubber()
  const time = (input: string): number => {
    const started = performance.now()
    scrub({ input })
    return performance.now() - started
  }
  for (const [name, input] of adversarialInputs(100_000)) {
    const elapsed = time(input)
    // Generous: linear work on 100 KB takes about a millisecond; a quadratic pattern takes minutes.
    t.ok(elapsed < 1000, `${name}: ${elapsed.toFixed(1)} ms`)
    // The same string as a member name goes through the same patterns.
    const started = performance.now()
    try { scrub({ [input]: 1 }) } catch {}
    t.ok(performance.now() - started < 1000, `${name} as a member name`)
  }
  // Twice the input, about twice the time (a quadratic pattern would take four times as long):
  // the best of nine runs over all shapes, the two sizes timed in turn so that other processes
  // on the machine, whose load drifts, weigh on both alike.
  const run = (inputs: Array<[string, string]>): number => {
    const started = performance.now()
    for (const [, input] of inputs) scrub({ input })
    return performance.now() - started
  }
  const small = adversarialInputs(50_000)
  const large = adversarialInputs(100_000)
  run(adversarialInputs(10_000))
  let bestSmall = Infinity
  let bestLarge = Infinity
  for (let i = 0; i < 9; i++) {
    bestLarge = Math.min(bestLarge, run(large))
    bestSmall = Math.min(bestSmall, run(small))
  }
  const ratio = bestLarge / bestSmall
  t.ok(ratio < 3.2, `100 KB takes ${ratio.toFixed(2)} times as long as 50 KB`)
})

t.test('fast paths agree with the plain forms', async (t) => {
  const { default: fc } = await import('fast-check')
  const scrub = compileScrubber()
  // Pieces the patterns are most sensitive to, so that generated strings come close to matching.
  const pieces = ['4', '1', '0', '5', ' ', '-', '.', '\t', '\u00a0', '=', '?', '&', '#', ':', '//', '@', '_',
    'eyJ', 'sk-', 'proj-', 'ant-', 'AKIA', 'AIza', 'glpat-', 'npm_', 'SG.', 'ghp_', 'xoxb-', 'Bearer ', 'token',
    'key', 'sig', 'pwd', 'password', 'a', 'Z', '4111', '1111', '-----BEGIN ', 'PRIVATE KEY', 'hf_', 'ya29.']
  const text = fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 3 })), { maxLength: 40 }).map((parts) => parts.join(''))
  const plainString = (value: string) => DEFAULT_SECRET_PATTERNS.some((pattern) => pattern.test(value))
  fc.assert(fc.property(text, (value) => {
    // Values: the combined regex, the length precheck and the `=` precheck change nothing.
    if ((scrub(value).redactions.length === 1) !== plainString(value)) return false
    // Names: the cached verdicts are the plain ones, asked twice.
    for (let i = 0; i < 2; i++) {
      let refused = false
      let redacted = false
      try { redacted = scrub({ [value]: 'v' }).redactions.length === 1 } catch (err) { refused = err instanceof SecretMemberNameError }
      if (refused !== plainString(value)) return false
      if (!refused && redacted !== isSecretName(value)) return false
    }
    return true
  }), { numRuns: 5000 })
  t.pass('5,000 generated strings, as values and as names')
})
