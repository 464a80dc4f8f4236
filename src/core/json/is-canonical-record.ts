/**
 * True when `text` is provably the RFC 8785 canonical form of a JSON object whose top-level
 * `seq` is the number `seq` and, if `tenant` is given, whose `tenant` is that string.
 *
 * This is the verifier's fast path: it reads the text once, building no value, where
 * `canonicalJson(JSON.parse(text)) === text` builds the whole record and serializes it again
 * (half of a verification's CPU). It only ever answers "yes, proven" or "not proven": on
 * false the caller runs the full check, which says exactly what is wrong. So it must never
 * accept what the full check refuses (test/core/json/is-canonical-record.test.ts holds it to that
 * on generated and mutated records); refusing an odd but canonical text only costs time.
 *
 * What canonical text looks like here: no whitespace; object members in strictly increasing
 * UTF-16 order of their keys (so no duplicates); strings escaped only as `JSON.stringify`
 * does (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other controls as lowercase `\u00xx`, all
 * else raw and well-formed); numbers exactly as ECMAScript prints them.
 */
export function isCanonicalRecord (text: string, seq: number, tenant?: string): boolean {
  const scan = new Scan(text)
  return scan.record(seq, tenant) && scan.at === text.length
}

// Past this depth the answer is left to the full check (canonicalJson's direct path stops at
// the same depth), so the recursion here stays shallow.
const MAX_DEPTH = 64

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a

class Scan {
  readonly #text: string
  at = 0

  constructor (text: string) {
    this.#text = text
  }

  record (seq: number, tenant: string | undefined): boolean {
    const text = this.#text
    if (text.charCodeAt(0) !== 0x7b) return false
    this.at = 1
    let sawSeq = false
    let sawTenant = tenant === undefined
    let prev: string | undefined
    if (text.charCodeAt(1) === 0x7d) return false // {} has no seq
    for (;;) {
      const key = this.#key(prev)
      if (key === undefined) return false
      prev = key
      if (key === 'seq') {
        const start = this.at
        if (!this.#number()) return false
        if (Number(text.slice(start, this.at)) !== seq) return false
        sawSeq = true
      } else if (key === 'tenant' && tenant !== undefined) {
        if (text.charCodeAt(this.at) !== QUOTE) return false
        const value = this.#string()
        if (value !== tenant) return false
        sawTenant = true
      } else if (!this.#value(1)) {
        return false
      }
      const next = text.charCodeAt(this.at++)
      if (next === 0x7d) return sawSeq && sawTenant
      if (next !== COMMA) return false
    }
  }

  /** A member's key and its colon, if it sorts after `prev`. */
  #key (prev: string | undefined): string | undefined {
    if (this.#text.charCodeAt(this.at) !== QUOTE) return undefined
    const key = this.#string()
    if (key === undefined || (prev !== undefined && !(prev < key))) return undefined
    if (this.#text.charCodeAt(this.at++) !== COLON) return undefined
    return key
  }

  #value (depth: number): boolean {
    const text = this.#text
    const c = text.charCodeAt(this.at)
    switch (c) {
      case QUOTE: return this.#string() !== undefined
      case 0x7b: return this.#object(depth + 1)
      case 0x5b: return this.#array(depth + 1)
      case 0x74: return this.#literal('true')
      case 0x66: return this.#literal('false')
      case 0x6e: return this.#literal('null')
      default: return (c === 0x2d || (c >= 0x30 && c <= 0x39)) && this.#number()
    }
  }

  #object (depth: number): boolean {
    if (depth > MAX_DEPTH) return false
    const text = this.#text
    this.at++
    if (text.charCodeAt(this.at) === 0x7d) {
      this.at++
      return true
    }
    let prev: string | undefined
    for (;;) {
      const key = this.#key(prev)
      if (key === undefined || !this.#value(depth)) return false
      prev = key
      const next = text.charCodeAt(this.at++)
      if (next === 0x7d) return true
      if (next !== COMMA) return false
    }
  }

  #array (depth: number): boolean {
    if (depth > MAX_DEPTH) return false
    const text = this.#text
    this.at++
    if (text.charCodeAt(this.at) === 0x5d) {
      this.at++
      return true
    }
    for (;;) {
      if (!this.#value(depth)) return false
      const next = text.charCodeAt(this.at++)
      if (next === 0x5d) return true
      if (next !== COMMA) return false
    }
  }

  #literal (word: string): boolean {
    if (!this.#text.startsWith(word, this.at)) return false
    this.at += word.length
    return true
  }

  /** A number token that is exactly how ECMAScript prints its value (so `-0`, `1.0`, `1E5` are not). */
  #number (): boolean {
    const text = this.#text
    const start = this.at
    let end = start
    for (;;) {
      const c = text.charCodeAt(end)
      // digits . + - e E: everything ECMAScript's printing can produce
      if ((c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2b || c === 0x2d || c === 0x65 || c === 0x45) end++
      else break
    }
    if (end === start) return false
    const token = text.slice(start, end)
    const value = Number(token)
    // String() of a finite number is the RFC 8785 form (JSON.stringify prints the same).
    if (!Number.isFinite(value) || String(value) !== token) return false
    this.at = end
    return true
  }

  /** A string in canonical form, decoded; undefined if it is not canonical. */
  #string (): string | undefined {
    const text = this.#text
    const start = ++this.at
    let escaped = false
    for (let i = start; ; i++) {
      const c = text.charCodeAt(i)
      if (c === QUOTE) {
        this.at = i + 1
        return escaped ? JSON.parse(text.slice(start - 1, i + 1)) as string : text.slice(start, i)
      }
      if (Number.isNaN(c) || c < 0x20) return undefined // end of text, or a raw control character
      if (c === BACKSLASH) {
        if (!canonicalEscape(text, i)) return undefined
        escaped = true
        i += text.charCodeAt(i + 1) === 0x75 ? 5 : 1
      } else if (c >= 0xd800 && c <= 0xdfff) {
        // Only a high surrogate followed by a low one: a lone surrogate has no UTF-8 form.
        const low = text.charCodeAt(i + 1)
        if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return undefined
        i++
      }
    }
  }
}

/** Whether the escape at `i` (a backslash) is the one JSON.stringify writes for its character. */
function canonicalEscape (text: string, i: number): boolean {
  switch (text.charCodeAt(i + 1)) {
    case QUOTE: case BACKSLASH: case 0x62: case 0x66: case 0x6e: case 0x72: case 0x74:
      return true
    case 0x75: { // \u00xx, lowercase, only for the controls without a short form
      if (text.charCodeAt(i + 2) !== 0x30 || text.charCodeAt(i + 3) !== 0x30) return false
      const hi = text.charCodeAt(i + 4)
      const lo = text.charCodeAt(i + 5)
      if (hi !== 0x30 && hi !== 0x31) return false
      const low = lo >= 0x30 && lo <= 0x39 ? lo - 0x30 : lo >= 0x61 && lo <= 0x66 ? lo - 0x57 : -1
      if (low < 0) return false
      const code = (hi - 0x30) * 16 + low
      return code !== 0x08 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d
    }
    default:
      return false
  }
}
