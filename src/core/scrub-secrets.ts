/**
 * Removes credentials and card data from event payloads before they are hashed
 * into the log: once a secret is chained into a tamper-evident log it can never
 * be deleted, so scrubbing must happen first and must err towards redaction.
 */
import { escapePointerToken } from './json-pointer.js'

/** What replaces a redacted value unless `ScrubOptions.placeholder` says otherwise. */
export const DEFAULT_PLACEHOLDER = '[REDACTED]'

/**
 * A sensitive key, in normalized form (see {@link DEFAULT_SECRET_KEYS}).
 * `suffix` rules match a normalized key that equals or ends with `key`;
 * `exact` rules only match a normalized key equal to `key`.
 */
export interface SecretKeyRule {
  readonly key: string
  readonly match: 'suffix' | 'exact'
}

/**
 * Object keys whose whole value is redacted.
 *
 * Matching rule: a key is normalized by lowercasing it and deleting `-`, `_`,
 * `.` and whitespace (`X-API-Key` becomes `xapikey`); it is sensitive when the
 * normalized key equals a rule's key or, for `suffix` rules, ends with it.
 * Suffix matching catches `db_password`, `refresh_token`, `Set-Cookie` while
 * leaving counters and descriptors alone: `token_count`, `token_type`,
 * `prompt_tokens` and `password_policy` do not end with a listed key. Plural
 * `tokens` is deliberately absent because it is mostly usage counters.
 * `auth`, `pin` and `ssn` are exact-only: as suffixes they would hit `oauth`,
 * `shipping` or `mapping`. Session ids are audit data and are not listed.
 */
export const DEFAULT_SECRET_KEYS: readonly SecretKeyRule[] = Object.freeze(
  [
    ...[
      'password', 'passwords', 'passwd', 'pwd', 'passphrase',
      'secret', 'secrets', 'clientsecret', 'secretkey',
      'token', 'apikey', 'accesskey', 'privatekey',
      'authorization', 'cookie', 'cookies', 'setcookie',
      'creditcard', 'cardnumber', 'ccnumber', 'cvv', 'cvc',
    ].map((key) => ({ key, match: 'suffix' as const })),
    ...['auth', 'pin', 'ssn'].map((key) => ({ key, match: 'exact' as const })),
  ].map((rule) => Object.freeze(rule)),
)

/** A detector for secrets inside string values. */
export interface SecretPattern {
  readonly name: string
  /** True if `value` contains the secret anywhere; the whole string is then redacted. */
  test(value: string): boolean
}

/**
 * Detectors applied to every string value at any depth.
 *
 * Every regex is linear in the input: quantified runs are either bounded, or
 * followed by a character their class excludes, and unbounded runs may only
 * start where a lookbehind shows a run begins, so no text is rescanned per
 * start position.
 */
export const DEFAULT_SECRET_PATTERNS: readonly SecretPattern[] = Object.freeze([
  { name: 'authorization-header', test: hasAuthorizationCredentials },
  regexPattern('jwt', /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/),
  // Covers PKCS#1/#8, EC, DSA, ENCRYPTED, OPENSSH and PGP private key blocks.
  regexPattern('pem-private-key', /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY/),
  regexPattern('aws-access-key-id', /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/),
  // `scheme://user:password@`; the user may be empty (`redis://:pw@host`), the password may not.
  regexPattern('url-credentials', /:\/\/[^\s:@/?#]*:[^\s@/?#]+@/),
  { name: 'payment-card-number', test: hasPaymentCardNumber },
  regexPattern('github-token', /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/),
  regexPattern('slack-token', /(?<![A-Za-z0-9])xox[baprs]-[A-Za-z0-9-]{10,}/),
  regexPattern('stripe-secret-key', /(?<![A-Za-z0-9])[sr]k_(?:live|test)_[A-Za-z0-9]{10,}/),
].map((pattern) => Object.freeze(pattern)))

/** Options for {@link compileScrubber} and {@link scrubSecrets}. */
export interface ScrubOptions {
  /** More sensitive keys. A plain string matches exactly after normalization; use a rule for suffix matching. */
  extraKeys?: readonly (string | SecretKeyRule)[]
  /** More value detectors; a string matching any of them is redacted whole. */
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
 * Builds a scrubber with its key set and patterns prepared once, for use on the hot path.
 *
 * The scrubber returns a new value and never mutates its input. It walks
 * objects and arrays at any depth with an explicit stack (no recursion, so deep
 * input cannot overflow the call stack) and keeps key order. A member whose key
 * is sensitive has its whole value (even an object) replaced by the placeholder,
 * unless the value is `null` or `undefined`, which carry no secret. Any other string that a
 * pattern matches is replaced whole. Values already equal to the placeholder are
 * left alone and not reported, so scrubbing is idempotent.
 *
 * Input is expected to be JSON data. Objects with `toJSON` (e.g. `Date`) are
 * converted first, exactly as `JSON.stringify` would; numbers are never matched
 * against patterns. Keys such as `__proto__` are copied as own data properties,
 * so parsed input cannot pollute prototypes.
 *
 * @throws TypeError on cyclic input, which is not JSON.
 */
export function compileScrubber(options: ScrubOptions = {}): (value: unknown) => ScrubResult {
  const placeholder = options.placeholder ?? DEFAULT_PLACEHOLDER
  const isSecretKey = compileKeyMatcher(options.extraKeys ?? [])
  const isSecretString = compileStringMatcher(options.extraPatterns ?? [])

  return function scrub(root: unknown): ScrubResult {
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
        const source = frame.source as Record<string, unknown>
        setOwn(frame.target as Record<string, unknown>, key, copy(source[key], frame, key, isSecretKey(key)))
        continue
      }
      stack.pop()
      ancestors.delete(frame.source)
    }
    return { value: result, redactions }
  }
}

let defaultScrubber: ((value: unknown) => ScrubResult) | undefined

/**
 * Returns a scrubbed copy of `value` and the pointers of what was redacted.
 * See {@link compileScrubber} for the rules; without options a shared,
 * precompiled scrubber is used, with options one is compiled per call.
 *
 * @example
 * scrubSecrets({ user: 'ann', password: 'hunter2' })
 * // { value: { user: 'ann', password: '[REDACTED]' }, redactions: ['/password'] }
 */
export function scrubSecrets(value: unknown, options?: ScrubOptions): ScrubResult {
  if (options !== undefined) return compileScrubber(options)(value)
  defaultScrubber ??= compileScrubber()
  return defaultScrubber(value)
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

function pointerOf(parent: Frame | undefined, token: string | number): string {
  if (parent === undefined) return ''
  return `${parent.pointer}/${typeof token === 'number' ? token : escapePointerToken(token)}`
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // Assigning `__proto__` would call the inherited setter and swap the
  // prototype; defining it makes a plain own property, as JSON.parse does.
  // Every other key is safe to assign: Object.prototype has no other setters.
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true })
  } else {
    target[key] = value
  }
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '')
}

// Keys repeat across events, so remember verdicts; clear rather than grow without bound.
const KEY_CACHE_LIMIT = 4096

function compileKeyMatcher(extraKeys: readonly (string | SecretKeyRule)[]): (key: string) => boolean {
  const exact = new Set<string>()
  const suffixes: string[] = []
  for (const rule of [...DEFAULT_SECRET_KEYS, ...extraKeys]) {
    const { key, match } = typeof rule === 'string' ? { key: rule, match: 'exact' } : rule
    const normalized = normalizeKey(key)
    if (normalized === '') continue
    exact.add(normalized)
    if (match === 'suffix') suffixes.push(normalized)
  }
  const cache = new Map<string, boolean>()
  return (key) => {
    let verdict = cache.get(key)
    if (verdict === undefined) {
      const normalized = normalizeKey(key)
      verdict = exact.has(normalized) || suffixes.some((suffix) => normalized.endsWith(suffix))
      if (cache.size >= KEY_CACHE_LIMIT) cache.clear()
      cache.set(key, verdict)
    }
    return verdict
  }
}

// Shortest possible default match is 13 characters (a payment card), except
// URL credentials (`://:p@`), which always contain `://`.
const MIN_DEFAULT_MATCH_LENGTH = 13

function compileStringMatcher(extraPatterns: readonly RegExp[]): (value: string) => boolean {
  const patterns = [
    ...DEFAULT_SECRET_PATTERNS,
    // Drop `g`/`y`: with them `test` is stateful and would skip matches on later calls.
    ...extraPatterns.map((re) => regexPattern(`extra:${re.source}`, new RegExp(re.source, re.flags.replace(/[gy]/g, '')))),
  ]
  const canSkipShort = extraPatterns.length === 0
  return (value) => {
    if (canSkipShort && value.length < MIN_DEFAULT_MATCH_LENGTH && !value.includes('://')) return false
    for (const pattern of patterns) {
      if (pattern.test(value)) return true
    }
    return false
  }
}

function regexPattern(name: string, re: RegExp): SecretPattern {
  return { name, test: (value) => re.test(value) }
}

const AUTH_SCHEME = /\b(?:Bearer|Basic)[ \t]+([A-Za-z0-9._~+/-]{8,}=*)/gi
// `Bearer authentication` is prose, not a credential: a credential is not one plain word.
const PLAIN_WORD = /^[A-Za-z][a-z]*$/

/** `Bearer <token>` or `Basic <base64>`, as in an Authorization header. */
function hasAuthorizationCredentials(value: string): boolean {
  for (const match of value.matchAll(AUTH_SCHEME)) {
    if (!PLAIN_WORD.test(match[1]!)) return true
  }
  return false
}

// 13-19 digits, single spaces or dashes between them, starting with an issuer
// digit 2-6 (Visa, Mastercard, Amex, Discover, JCB, UnionPay, Diners). The
// prefix rule keeps epoch-millisecond strings (`17...`) out; word and dash
// boundaries keep digit runs inside UUIDs and longer ids out.
const CARD_CANDIDATE = /(?<![\w-])[2-6](?:[ -]?\d){12,18}(?![\w-])/g

/** A Luhn-valid payment card number anywhere in the string. */
function hasPaymentCardNumber(value: string): boolean {
  for (const match of value.matchAll(CARD_CANDIDATE)) {
    if (passesLuhn(match[0].replace(/[ -]/g, ''))) return true
  }
  return false
}

function passesLuhn(digits: string): boolean {
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
