import { escapePointerToken } from '../core/json/index.js'
import { SECRET_KEY, SecretMemberNameError, type ScrubRules } from './scrub-secrets.js'

/**
 * Thrown inside {@link CanonicalScrubber} when a value is not plain parsed JSON (a `toJSON`,
 * `undefined`, a non-finite number, a lone surrogate, nesting past 64 levels): the caller then
 * takes the two-pass path (scrub a copy, then canonicalize it), which knows every such rule.
 */
export const NOT_PLAIN = Symbol('not plain JSON')

// canonicalJson's direct path stops at the same depth.
const MAX_DEPTH = 64

const isWellFormed = (s: string): boolean => (s as string & { isWellFormed (): boolean }).isWellFormed()

/**
 * Scrubs and writes RFC 8785 canonical JSON in one walk, with no scrubbed copy in between:
 * what `canonicalJson(scrub(value).value)` gives, and the same redaction pointers in the same
 * (document) order, for plain parsed JSON. Anything else throws {@link NOT_PLAIN}.
 *
 * The rules are the scrubber's own ({@link ScrubRules}); test/ingest/scrub-to-canonical.test.ts
 * holds this walk to the two-pass form on generated values.
 */
export class CanonicalScrubber {
  readonly #rules: ScrubRules
  readonly #placeholderText: string
  /** The tokens from the root to the value being written, for pointers (built only when needed). */
  readonly #path: Array<string | number> = []
  #redactions: string[] = []

  constructor (rules: ScrubRules) {
    this.#rules = rules
    this.#placeholderText = JSON.stringify(rules.placeholder)
  }

  /**
   * The canonical member `"name":value` of `value` scrubbed as the member `name` of the root
   * object; redaction pointers are appended to `redactions`.
   *
   * @throws {SecretMemberNameError} when a member name looks like a secret (as the scrubber).
   * @throws {NOT_PLAIN} when the value needs the two-pass path.
   */
  member (name: string, value: unknown, redactions: string[]): string {
    this.#redactions = redactions
    this.#path.length = 0
    const verdict = this.#verdict(name)
    this.#path.push(name)
    const text = this.#value(value, verdict === SECRET_KEY, 1)
    this.#path.pop()
    return `${JSON.stringify(name)}:${text}`
  }

  #verdict (name: string): string {
    const verdict = this.#rules.nameVerdict(name)
    if (verdict !== '' && verdict !== SECRET_KEY) throw new SecretMemberNameError(`${this.#pointer()}/<key>`, verdict)
    if (!isWellFormed(name)) throw NOT_PLAIN
    return verdict
  }

  // The scrubber's order of rules: the placeholder is kept as is, a sensitive member loses any
  // value but null, a string matching a pattern is replaced whole.
  #value (value: unknown, secretKey: boolean, depth: number): string {
    if (value === this.#rules.placeholder) return this.#placeholderText
    if (secretKey && value !== null && value !== undefined) return this.#redact()
    switch (typeof value) {
      case 'string':
        if (this.#rules.isSecretString(value)) return this.#redact()
        if (!isWellFormed(value)) throw NOT_PLAIN
        return JSON.stringify(value)
      case 'number':
        if (!Number.isFinite(value)) throw NOT_PLAIN
        return JSON.stringify(value)
      case 'boolean':
        return value ? 'true' : 'false'
      case 'object':
        if (value === null) return 'null'
        if (depth >= MAX_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN
        return Array.isArray(value) ? this.#array(value, depth) : this.#object(value as Record<string, unknown>, depth)
      default:
        throw NOT_PLAIN
    }
  }

  #array (value: readonly unknown[], depth: number): string {
    const path = this.#path
    let out = '['
    for (let i = 0; i < value.length; i++) {
      path.push(i)
      out += (i === 0 ? '' : ',') + this.#value(value[i], false, depth + 1)
      path.pop()
    }
    return out + ']'
  }

  // Members are scrubbed in document order (so are the redactions), then written sorted.
  #object (value: Record<string, unknown>, depth: number): string {
    const path = this.#path
    const keys = Object.keys(value)
    const members: Array<[string, string]> = []
    for (const key of keys) {
      const verdict = this.#verdict(key)
      path.push(key)
      members.push([key, this.#value(value[key], verdict === SECRET_KEY, depth + 1)])
      path.pop()
    }
    members.sort(byName)
    let out = '{'
    for (let i = 0; i < members.length; i++) out += `${i === 0 ? '' : ','}${JSON.stringify(members[i]![0])}:${members[i]![1]}`
    return out + '}'
  }

  #redact (): string {
    this.#redactions.push(this.#pointer())
    return this.#placeholderText
  }

  #pointer (): string {
    let pointer = ''
    for (const token of this.#path) pointer += `/${typeof token === 'number' ? token : escapePointerToken(token)}`
    return pointer
  }
}

// Names of one object are distinct; RFC 8785 orders them by UTF-16 code units, as `<` does.
const byName = (a: [string, string], b: [string, string]): number => a[0] < b[0] ? -1 : 1
