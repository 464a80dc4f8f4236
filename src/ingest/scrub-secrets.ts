/**
 * Removes credentials and card data from event payloads before they are hashed
 * into the log: once a secret is chained into a tamper-evident log it can never
 * be deleted, so scrubbing must happen first and must err towards redaction.
 */
import { escapePointerToken } from '../core/json/index.js'

/** What replaces a redacted value unless `ScrubOptions.placeholder` says otherwise. */
export const DEFAULT_PLACEHOLDER = '[REDACTED]'

/**
 * An operator's sensitive key (`ScrubOptions.extraKeys`), matched against the
 * whole name once lowercased and stripped of `-`, `_`, `.` and whitespace:
 * `exact` rules match a name equal to `key`, `suffix` rules also one ending with it.
 */
export interface SecretKeyRule {
  readonly key: string
  readonly match: 'suffix' | 'exact'
}

/**
 * A sensitive word of the built-in key rules. A member name is cut into words
 * (see {@link wordsOfName}); `word` rules match a word equal to `word`, `suffix`
 * rules a word ending with it (`webhooksecret`), `contains` rules a word
 * containing it anywhere (`mypasswordhash`). Each pair of adjacent words is
 * also tried run together, so `api_key` and `social-security` are one word each.
 */
export interface SecretWordRule {
  readonly word: string
  readonly match: 'word' | 'suffix' | 'contains'
}

/**
 * The built-in sensitive words: a member whose name contains one of them, anywhere,
 * has its whole value redacted, unless every word after the last sensitive one
 * describes the secret rather than holding it (see {@link DESCRIPTOR_WORDS}).
 *
 * `auth`, `pin`, `pass`, `ssn` and `otp` are whole words only: inside a word they
 * would hit `oauth`, `shipping`, `compass` or `lessn`. `secret` and `token` only
 * end a word (`secretary` and `tokenizer` are kept). Plural `tokens` is absent on
 * purpose: it names usage counters (`max_tokens`, `prompt_tokens`). Session ids are
 * audit data and are not listed.
 */
export const DEFAULT_SECRET_WORDS: readonly SecretWordRule[] = Object.freeze(
  [
    ...[
      'auth', 'pin', 'pincode', 'pass', 'ssn', 'otp', 'totp', 'hotp', 'mfacode', 'otpcode', 'creds', 'cred',
      'securitycode', 'securityanswer', 'seedphrase', 'cvn',
    ].map((word) => ({ word, match: 'word' as const })),
    ...[
      'passwords', 'pwd', 'secret', 'secrets', 'token', 'authorization', 'cookie', 'cookies', 'setcookie',
      'accesskey', 'ccnumber', 'cvv', 'cvc',
    ].map((word) => ({ word, match: 'suffix' as const })),
    ...[
      'password', 'passwd', 'passphrase', 'passcode', 'credential', 'apikey', 'privatekey', 'secretkey',
      'clientsecret', 'accesstoken', 'refreshtoken', 'creditcard', 'cardnumber', 'socialsecurity', 'secretanswer',
    ].map((word) => ({ word, match: 'contains' as const })),
  ].map((rule) => Object.freeze(rule))
)

/**
 * The allow list: words that, when they are all that follows the last sensitive
 * word, make the name describe a secret instead of holding one: `token_count`,
 * `token_type`, `password_policy`, `password_changed_at`, `auth_method`,
 * `access_key_id`, `ssn_last4`. Anything else after it (`token_value`,
 * `password_new`, `password_confirmation`, `pin_code`, `secret_answer`) or
 * nothing at all keeps the name sensitive. A trailing `s` is ignored here.
 */
export const DESCRIPTOR_WORDS: ReadonlySet<string> = new Set([
  'count', 'type', 'kind', 'policy', 'policie', 'length', 'len', 'size', 'min', 'max', 'limit', 'strength', 'score',
  'format', 'expire', 'expires', 'expiry', 'expiration', 'expired', 'exp', 'ttl', 'age', 'at', 'on', 'time', 'date',
  'changed', 'change', 'updated', 'created', 'rotated', 'required', 'enabled', 'disabled', 'status', 'state',
  'method', 'provider', 'scheme', 'name', 'id', 'version', 'last', 'consent', 'used', 'usage', 'attempt',
  'valid', 'rule', 'url', 'uri', 'endpoint',
])

/** A detector for secrets inside string values. */
export interface SecretPattern {
  readonly name: string
  /** True if `value` contains the secret anywhere; the whole string is then redacted. */
  test(value: string): boolean
}

/**
 * Regex detectors, each linear in the input: quantified runs are either
 * bounded, or followed by a character their class excludes, and unbounded runs
 * may only start where a lookbehind shows a run begins, so no text is rescanned
 * per start position. They carry no flags, so they can be joined into one.
 */
const REGEX_PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['jwt', /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/],
  // Covers PKCS#1/#8, EC, DSA, ENCRYPTED, OPENSSH and PGP private key blocks.
  ['pem-private-key', /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY/],
  ['aws-access-key-id', /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/],
  // `scheme://user:password@`; the user may be empty (`redis://:pw@host`), the password may not.
  ['url-credentials', /:\/\/[^\s:@/?#]*:[^\s@/?#]+@/],
  ['github-token', /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/],
  ['slack-token', /(?<![A-Za-z0-9])(?:xox[abeprs]|xapp)-[A-Za-z0-9-]{10,}/],
  ['slack-webhook-url', /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9]/],
  ['stripe-secret-key', /(?<![A-Za-z0-9])(?:[sr]k_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9+/]{20,})/],
  // OpenAI (`sk-proj-`, `sk-svcacct-`, `sk-admin-`, legacy `sk-` + 48) and Anthropic (`sk-ant-api03-`).
  ['openai-api-key', /(?<![A-Za-z0-9_-])sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{32,}(?![A-Za-z0-9_-]))/],
  ['anthropic-api-key', /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,}/],
  ['google-api-key', /(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{35}/],
  ['google-oauth-secret', /(?<![A-Za-z0-9_-])(?:GOCSPX-[A-Za-z0-9_-]{24,}|ya29\.[A-Za-z0-9_-]{20,})/],
  ['gitlab-token', /(?<![A-Za-z0-9_-])gl(?:pat|ptt|dt|rt|soat|cbt|imt|ffct|agent)-[A-Za-z0-9_-]{20,}/],
  ['npm-token', /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}/],
  ['sendgrid-api-key', /(?<![A-Za-z0-9_-])SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}/],
  ['huggingface-token', /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,}/],
  ['pypi-token', /pypi-AgE[A-Za-z0-9_-]{50,}/],
  ['digitalocean-token', /(?<![A-Za-z0-9_])do[opr]_v1_[a-f0-9]{64}/],
]

/**
 * Detectors applied to every string value at any depth, and to every member name.
 */
export const DEFAULT_SECRET_PATTERNS: readonly SecretPattern[] = Object.freeze([
  { name: 'authorization-header', test: hasAuthorizationCredentials },
  ...REGEX_PATTERNS.map(([name, re]) => regexPattern(name, re)),
  { name: 'payment-card-number', test: hasPaymentCardNumber },
  { name: 'url-secret-parameter', test: hasSecretParameter },
].map((pattern) => Object.freeze(pattern)))

/** Options for {@link compileScrubber} and {@link scrubSecrets}. */
export interface ScrubOptions {
  /** More sensitive keys. A plain string matches exactly after normalization; use a rule for suffix matching. */
  extraKeys?: readonly (string | SecretKeyRule)[]
  /** More value detectors; a string (value or member name) matching any of them is redacted whole (or refused, for a name). */
  extraPatterns?: readonly RegExp[]
  /** Replacement for redacted values. Default `"[REDACTED]"`. */
  placeholder?: string
}

/** A scrubbed copy and the RFC 6901 pointers of every replaced value, in document order. */
export interface ScrubResult {
  value: unknown
  redactions: string[]
}

/**
 * A member name looks like a secret. Values are redacted, but a name cannot be
 * (renaming could collide with a sibling and would change what the producer
 * sent), so the whole document is refused. `pointer` leads to the member's
 * parent and ends in `<key>`; neither it nor the message contains the name.
 */
export class SecretMemberNameError extends Error {
  constructor (readonly pointer: string, readonly pattern: string) {
    super(`a member name looks like a secret (${pattern}); secrets are only redacted from values, so it is refused`)
    this.name = 'SecretMemberNameError'
  }
}

/**
 * Builds a scrubber with its key rules and patterns prepared once, for use on the hot path.
 *
 * The scrubber returns a new value and never mutates its input. It walks
 * objects and arrays at any depth with an explicit stack (no recursion, so deep
 * input cannot overflow the call stack) and keeps key order. A member whose key
 * is sensitive has its whole value (even an object) replaced by the placeholder,
 * unless the value is `null` or `undefined`, which carry no secret. Any other string that a
 * pattern matches is replaced whole. Values already equal to the placeholder are
 * left alone and not reported, so scrubbing is idempotent. Every member name that
 * is kept is checked against the value patterns too: a name that matches one
 * throws {@link SecretMemberNameError}.
 *
 * Input is expected to be JSON data. Objects with `toJSON` (e.g. `Date`) are
 * converted first, exactly as `JSON.stringify` would; numbers are never matched
 * against patterns. Keys such as `__proto__` are copied as own data properties,
 * so parsed input cannot pollute prototypes.
 *
 * @throws TypeError on cyclic input, which is not JSON.
 * @throws SecretMemberNameError when a member name looks like a secret.
 */
export function compileScrubber (options: ScrubOptions = {}): CompiledScrubber {
  const rules = compileScrubRules(options)
  return Object.assign(scrubberOf(rules), { rules })
}

/** A scrubber and the rules it applies (which `prepareEvent` also writes canonical JSON with). */
export type CompiledScrubber = ((value: unknown) => ScrubResult) & { readonly rules: ScrubRules }

/**
 * The scrubbing rules with everything that can be prepared once prepared: what both the
 * scrubber ({@link compileScrubber}) and the one-pass canonical writer
 * (`scrub-to-canonical.ts`) apply, so the two cannot drift apart.
 */
export interface ScrubRules {
  readonly placeholder: string
  /**
   * One cached verdict per member name: `''` for an ordinary name, `SECRET_KEY` when its value
   * is redacted whole, otherwise the name of the value pattern it matches (the name is refused).
   */
  readonly nameVerdict: (name: string) => string
  readonly isSecretString: (value: string) => boolean
}

/** {@link ScrubRules.nameVerdict} of a sensitive member name (no pattern is named `\0`). */
export const SECRET_KEY = '\0'

export function compileScrubRules (options: ScrubOptions = {}): ScrubRules {
  const placeholder = options.placeholder ?? DEFAULT_PLACEHOLDER
  const isSecretKey = compileKeyMatcher(options.extraKeys ?? [])
  const extraPatterns = (options.extraPatterns ?? []).map((re, i) => regexPattern(`extra pattern ${i + 1}`, withoutState(re)))
  const isSecretString = compileStringMatcher(extraPatterns)
  // The value patterns first: a name that looks like a secret is refused even when its value
  // would be redacted anyway.
  const nameVerdict = cached((name) => {
    if (isSecretString(name)) return [...DEFAULT_SECRET_PATTERNS, ...extraPatterns].find((pattern) => pattern.test(name))?.name ?? 'secret'
    return isSecretKey(name) ? SECRET_KEY : ''
  })
  return { placeholder, nameVerdict, isSecretString }
}

function scrubberOf (rules: ScrubRules): (value: unknown) => ScrubResult {
  const { placeholder, nameVerdict, isSecretString } = rules
  return function scrub (root: unknown): ScrubResult {
    const redactions: string[] = []
    const stack: Frame[] = []
    // Containers currently being copied; meeting one again means a cycle.
    const ancestors = new Set<object>()

    const copy = (value: unknown, parent: Frame | undefined, token: string | number, secretKey: boolean): unknown => {
      if (value !== null && typeof value === 'object' && typeof (value as Jsonable).toJSON === 'function') {
        value = (value as Jsonable).toJSON(String(token))
      }
      if (value === placeholder) return value
      if (secretKey && value !== null && value !== undefined) {
        redactions.push(pointerOf(parent, token))
        return placeholder
      }
      if (typeof value === 'string') {
        if (!isSecretString(value)) return value
        redactions.push(pointerOf(parent, token))
        return placeholder
      }
      if (value === null || typeof value !== 'object') return value
      if (ancestors.has(value)) throw new TypeError(`cannot scrub a cyclic structure (at "${pointerOf(parent, token)}")`)
      ancestors.add(value)
      const pointer = pointerOf(parent, token)
      if (Array.isArray(value)) {
        const target: unknown[] = []
        stack.push({ source: value, target, keys: undefined, next: 0, pointer })
        return target
      }
      const target: Record<string, unknown> = {}
      stack.push({ source: value as Record<string, unknown>, target, keys: Object.keys(value), next: 0, pointer })
      return target
    }

    const result = copy(root, undefined, '', false)
    // One member per iteration on the deepest open container: a depth-first
    // walk, so redactions are recorded in document order.
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!
      if (frame.keys === undefined) {
        const source = frame.source as readonly unknown[]
        if (frame.next < source.length) {
          const index = frame.next++
          ;(frame.target as unknown[]).push(copy(source[index], frame, index, false))
          continue
        }
      } else if (frame.next < frame.keys.length) {
        const key = frame.keys[frame.next++]!
        const verdict = nameVerdict(key)
        if (verdict !== '' && verdict !== SECRET_KEY) throw new SecretMemberNameError(pointerOf(frame, '<key>'), verdict)
        const source = frame.source as Record<string, unknown>
        setOwn(frame.target as Record<string, unknown>, key, copy(source[key], frame, key, verdict === SECRET_KEY))
        continue
      }
      stack.pop()
      ancestors.delete(frame.source)
    }
    return { value: result, redactions }
  }
}

let defaultScrubber: CompiledScrubber | undefined

/**
 * Returns a scrubbed copy of `value` and the pointers of what was redacted.
 * See {@link compileScrubber} for the rules; without options a shared,
 * precompiled scrubber is used, with options one is compiled per call.
 *
 * @example
 * scrubSecrets({ user: 'ann', password: 'hunter2' })
 * // { value: { user: 'ann', password: '[REDACTED]' }, redactions: ['/password'] }
 */
export function scrubSecrets (value: unknown, options?: ScrubOptions): ScrubResult {
  if (options !== undefined) return compileScrubber(options)(value)
  defaultScrubber ??= compileScrubber()
  return defaultScrubber(value)
}

/**
 * The name of the first built-in value pattern a member name matches, or
 * undefined: such a name is refused (see {@link SecretMemberNameError}).
 */
export function secretPatternOfName (name: string): string | undefined {
  return defaultPatternOfName(name) || undefined
}

/**
 * True when the built-in key rules make `name` sensitive: it is cut into words,
 * digits dropped, at separators (anything but ASCII letters and digits) and at
 * case changes (`userPassword`, `APIKey`; a single capital stays with what
 * follows, so `OAuth` is one word); see {@link DEFAULT_SECRET_WORDS} and
 * {@link DESCRIPTOR_WORDS}. The plain form: the scrubber caches its verdicts.
 */
export function isSecretName (name: string): boolean {
  const words = wordsOfName(name)
  let last = -1
  let previous = false
  for (let i = 0; i < words.length; i++) {
    const secret = isSecretWord(words[i]!)
    // A pair counts only for a word that spans both (`api` `key`): `password`
    // `policy` run together still describe a password.
    if (secret || (i > 0 && !previous && isSecretWord(words[i - 1]! + words[i]!))) last = i
    previous = secret
  }
  if (last < 0) return false
  for (let i = last + 1; i < words.length; i++) {
    const word = words[i]!
    if (!DESCRIPTOR_WORDS.has(word) && !(word.endsWith('s') && DESCRIPTOR_WORDS.has(word.slice(0, -1)))) return true
  }
  return last === words.length - 1
}

/** The lowercase ASCII words of a member name (see {@link isSecretName}). */
export function wordsOfName (name: string): string[] {
  const words: string[] = []
  let start = -1
  for (let i = 0; i <= name.length; i++) {
    const c = i < name.length ? name.charCodeAt(i) : 0
    const lower = c >= 97 && c <= 122
    const upper = c >= 65 && c <= 90
    if (!lower && !upper) {
      if (start >= 0) words.push(name.slice(start, i).toLowerCase())
      start = -1
      continue
    }
    if (start >= 0 && upper) {
      const prev = name.charCodeAt(i - 1)
      const prevLower = prev >= 97 && prev <= 122
      const next = i + 1 < name.length ? name.charCodeAt(i + 1) : 0
      // `userPassword` splits before `P`; `APIKey` before `K` (an upper run ending
      // where a capitalized word starts), but not `OAuth`, whose run is one letter.
      if (prevLower || (next >= 97 && next <= 122 && i - start > 1)) {
        words.push(name.slice(start, i).toLowerCase())
        start = i
      }
    }
    if (start < 0) start = i
  }
  return words
}

const SECRET_WORDS = new Set(DEFAULT_SECRET_WORDS.map((rule) => rule.word))
const SECRET_SUFFIXES = DEFAULT_SECRET_WORDS.filter((rule) => rule.match === 'suffix').map((rule) => rule.word)
const SECRET_INFIXES = DEFAULT_SECRET_WORDS.filter((rule) => rule.match === 'contains').map((rule) => rule.word)

function isSecretWord (word: string): boolean {
  if (SECRET_WORDS.has(word)) return true
  for (const suffix of SECRET_SUFFIXES) if (word.endsWith(suffix)) return true
  for (const infix of SECRET_INFIXES) if (word.includes(infix)) return true
  return false
}

/** A container being copied; `keys` is undefined for arrays. */
interface Frame {
  source: object
  target: unknown[] | Record<string, unknown>
  keys: string[] | undefined
  next: number
  pointer: string
}

interface Jsonable {
  toJSON(key: string): unknown
}

function pointerOf (parent: Frame | undefined, token: string | number): string {
  if (parent === undefined) return ''
  return `${parent.pointer}/${typeof token === 'number' ? token : escapePointerToken(token)}`
}

function setOwn (target: Record<string, unknown>, key: string, value: unknown): void {
  // Assigning `__proto__` would call the inherited setter and swap the
  // prototype; defining it makes a plain own property, as JSON.parse does.
  // Every other key is safe to assign: Object.prototype has no other setters.
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
  } else {
    target[key] = value
  }
}

/** A member name as the key rules match it: lowercased, without `-`, `_`, `.` and whitespace. */
export function normalizeKey (key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '')
}

// Names repeat across events, so remember verdicts; clear rather than grow
// without bound, and never hold long names (a few MB at most).
const CACHE_LIMIT = 4096
const CACHED_NAME_MAX_LENGTH = 256

function cached<T> (compute: (name: string) => T): (name: string) => T {
  const cache = new Map<string, T>()
  return (name) => {
    let verdict = cache.get(name)
    if (verdict === undefined) {
      verdict = compute(name)
      if (name.length <= CACHED_NAME_MAX_LENGTH) {
        if (cache.size >= CACHE_LIMIT) cache.clear()
        cache.set(name, verdict)
      }
    }
    return verdict
  }
}

const isDefaultSecretName = cached(isSecretName)

function compileKeyMatcher (extraKeys: readonly (string | SecretKeyRule)[]): (key: string) => boolean {
  const exact = new Set<string>()
  const suffixes: string[] = []
  for (const rule of extraKeys) {
    const { key, match } = typeof rule === 'string' ? { key: rule, match: 'exact' } : rule
    const normalized = normalizeKey(key)
    if (normalized === '') continue
    exact.add(normalized)
    if (match === 'suffix') suffixes.push(normalized)
  }
  if (exact.size === 0) return isDefaultSecretName
  return cached((key) => {
    if (isSecretName(key)) return true
    const normalized = normalizeKey(key)
    return exact.has(normalized) || suffixes.some((suffix) => normalized.endsWith(suffix))
  })
}

// The shortest default match is 5 characters: a sensitive parameter such as
// `pwd=x` at the start of a string.
const MIN_DEFAULT_MATCH_LENGTH = 5

// Every regex detector in one: a single scan instead of one per pattern.
const COMBINED_REGEX = new RegExp(REGEX_PATTERNS.map(([, re]) => `(?:${re.source})`).join('|'))

function compileStringMatcher (extraPatterns: readonly SecretPattern[]): (value: string) => boolean {
  const minLength = extraPatterns.length === 0 ? MIN_DEFAULT_MATCH_LENGTH : 0
  return (value) => {
    if (value.length < minLength) return false
    if (COMBINED_REGEX.test(value) || hasAuthorizationCredentials(value) || hasPaymentCardNumber(value)) return true
    if (value.includes('=') && hasSecretParameter(value)) return true
    for (const pattern of extraPatterns) {
      if (pattern.test(value)) return true
    }
    return false
  }
}

const defaultPatternOfName = cached((name) => {
  if (!defaultStringMatcher(name)) return ''
  return DEFAULT_SECRET_PATTERNS.find((pattern) => pattern.test(name))?.name ?? 'secret'
})
// Declared after use in a closure only: compiled when this module loads.
const defaultStringMatcher = compileStringMatcher([])

/** Drops `g`/`y`: with them `test` is stateful and would skip matches on later calls. */
function withoutState (re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.replace(/[gy]/g, ''))
}

function regexPattern (name: string, re: RegExp): SecretPattern {
  return { name, test: (value) => re.test(value) }
}

const AUTH_SCHEME = /\b(?:Bearer|Basic)[ \t]+([A-Za-z0-9._~+/-]{8,}=*)/gi
const AUTH_SCHEME_TEST = new RegExp(AUTH_SCHEME.source, 'i')
// `Bearer authentication` is prose, not a credential: a credential is not one plain word.
const PLAIN_WORD = /^[A-Za-z][a-z]*$/

/** `Bearer <token>` or `Basic <base64>`, as in an Authorization header. */
function hasAuthorizationCredentials (value: string): boolean {
  // A stateless test first: matchAll costs an iterator even when nothing matches.
  if (!AUTH_SCHEME_TEST.test(value)) return false
  for (const match of value.matchAll(AUTH_SCHEME)) {
    if (!PLAIN_WORD.test(match[1]!)) return true
  }
  return false
}

// 13-19 digits, single separators between them (space, dash, tab, dot, no-break
// or figure space), starting with an issuer digit 2-6 (Visa, Mastercard, Amex,
// Discover, JCB, UnionPay, Diners). The prefix rule keeps epoch-millisecond
// strings (`17...`) out; word and dash boundaries keep digit runs inside UUIDs
// and longer ids out.
const CARD_CANDIDATE = /(?<![\w-])[2-6](?:[ \t.\u00a0\u2007\u202f-]?\d){12,18}(?![\w-])/g
const CARD_CANDIDATE_TEST = new RegExp(CARD_CANDIDATE.source)
const NOT_DIGIT = /\D/g
// With dots, only grouped digits (`4111.1111.1111.1111`): `3.14159265358979` is a number.
const DOTTED_GROUPS = /^\d{3,}(?:\.\d{3,})+$/

/** A Luhn-valid payment card number anywhere in the string. */
function hasPaymentCardNumber (value: string): boolean {
  if (!CARD_CANDIDATE_TEST.test(value)) return false
  for (const match of value.matchAll(CARD_CANDIDATE)) {
    const text = match[0]
    if (text.includes('.') && !DOTTED_GROUPS.test(text)) continue
    if (passesLuhn(text.replace(NOT_DIGIT, ''))) return true
  }
  return false
}

function passesLuhn (digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48
    if (double) {
      digit *= 2
      if (digit > 9) digit -= 9
    }
    sum += digit
    double = !double
  }
  return sum % 10 === 0
}

// `name=value` starting the string or after `?`, `&`, `#`, `;` or whitespace,
// with a value that is not empty. The name run cannot contain a delimiter, so
// runs from different starts never overlap: linear.
const PARAMETER = /(?:^|[?&#;\s])([A-Za-z0-9_.[\]-]+)=(?=[^\s&#])/g
const PARAMETER_TEST = new RegExp(PARAMETER.source)
// Names that are secrets as URL parameters only (`?key=`, `?sig=`, `X-Amz-Signature=`).
const PARAMETER_NAMES = new Set(['key', 'sig'])
const PARAMETER_LAST_WORDS = new Set(['signature', 'hmac', 'sig'])

/** A query, fragment or form parameter with a secret-looking name and a value: `?access_token=…`. */
function hasSecretParameter (value: string): boolean {
  if (!PARAMETER_TEST.test(value)) return false
  for (const match of value.matchAll(PARAMETER)) {
    const name = match[1]!
    if (isDefaultSecretName(name)) return true
    const words = wordsOfName(name)
    if (words.length > 0 && PARAMETER_LAST_WORDS.has(words[words.length - 1]!)) return true
    if (PARAMETER_NAMES.has(name.toLowerCase())) return true
  }
  return false
}
