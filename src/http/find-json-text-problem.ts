import { joinPointer } from '../core/json/index.js'

/** What a single pass over the raw JSON text can refuse before (or instead of) parsing it. */
export interface JsonTextProblem {
  kind: 'depth' | 'too-many-keys' | 'duplicate-key' | 'prototype-key' | 'number-underflow'
  /** RFC 6901 pointer of the offending member or value (of the container, for `depth`). */
  pointer: string
  reason: string
}

export interface JsonTextLimits {
  /** Deepest allowed nesting of objects and arrays; the root container is depth 1. */
  maxDepth: number
  /** Most members allowed in one object. Default: no limit. */
  maxKeys?: number
}

/** How much of a key an error message quotes. */
const QUOTED_KEY_MAX = 64

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const COMMA = 0x2c
const MINUS = 0x2d

/** An open object: the keys met so far and the key of the member being read. */
interface ObjectFrame {
  keys: Set<string>
  key: string
  count: number
  /** Its parent is an object and this object is the value of that parent's `constructor` member. */
  underConstructor: boolean
}

/**
 * One linear pass over JSON text, finding what `JSON.parse` would hide or choke on:
 *
 * - nesting deeper than `limits.maxDepth`, or an object with more than `limits.maxKeys`
 *   members. `JSON.parse` copes with both, but slowly (about 2 µs a level: a 5 MiB body of `[`
 *   costs seconds of CPU; a 5 MiB object of 400,000 keys about as much), so they are checked
 *   on the text, to be refused before parsing;
 * - a key that appears twice in one object (`JSON.parse` silently keeps the last: an audit
 *   log must not accept ambiguous input). Keys are compared after unescaping, so `"a"` and
 *   `"\u0061"` are the same key;
 * - a `__proto__` key, or a `prototype` key inside a `constructor` member: the shapes of
 *   prototype pollution, refused by name and place rather than by a bare "invalid JSON";
 * - a number that is not zero as written but becomes 0 as an IEEE 754 double (`1e-400`):
 *   it would be stored as a value the producer did not send.
 *
 * Returns the first problem in document order, except that a `depth` or `too-many-keys`
 * problem is returned as soon as it is met. Meant for text that is then parsed: on text that
 * is not JSON it still ends, in linear time and without throwing, but what it reports is
 * unspecified. The state kept is one small number per open container, plus the keys of open
 * objects.
 */
export function findJsonTextProblem (text: string, limits: JsonTextLimits): JsonTextProblem | undefined {
  const length = text.length
  const maxKeys = limits.maxKeys ?? Number.POSITIVE_INFINITY
  // Per open container, innermost last: an array's current index (>= 0), or -(n + 1) for
  // the object at `objects[n]`.
  const open: number[] = []
  const objects: ObjectFrame[] = []
  // In an object, whether the next string is a key (after `{` or `,`) or a value.
  let expectKey = false
  let found: JsonTextProblem | undefined

  // Pointer of the place the scan is at: each open container contributes the index or key
  // of its member being read; `levels` limits it to the outermost ones.
  const pointer = (levels = open.length): string => {
    const tokens: (string | number)[] = []
    for (let level = 0; level < levels; level++) tokens.push(tokenOf(open[level]!, objects))
    return joinPointer(tokens)
  }
  const report = (problem: JsonTextProblem) => { found ??= problem }

  let i = 0
  while (i < length) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      const end = stringEnd(text, i + 1)
      const stop = end === -1 ? length : end
      const top = open.length > 0 ? open[open.length - 1]! : 0
      if (top < 0 && expectKey) {
        const frame = objects[-top - 1]!
        const key = decodeKey(text, i + 1, stop)
        frame.key = key
        expectKey = false
        if (++frame.count > maxKeys) {
          return { kind: 'too-many-keys', pointer: pointer(open.length - 1), reason: `object has more than ${maxKeys} keys` }
        }
        if (found === undefined) {
          if (frame.keys.has(key)) {
            const where = open.length > 1 ? `in the object at ${pointer(open.length - 1)}` : 'in the top-level object'
            report({ kind: 'duplicate-key', pointer: pointer(), reason: `duplicate key ${quoteKey(key)} ${where} (keys must be unique)` })
          } else if (key === '__proto__') {
            report({ kind: 'prototype-key', pointer: pointer(), reason: 'key "__proto__" is not accepted (prototype pollution)' })
          } else if (key === 'prototype' && frame.underConstructor) {
            report({ kind: 'prototype-key', pointer: pointer(), reason: 'key "prototype" inside a "constructor" member is not accepted (prototype pollution)' })
          }
          frame.keys.add(key)
        }
      }
      i = stop + 1
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (open.length >= limits.maxDepth) {
        return { kind: 'depth', pointer: pointer(), reason: `nesting deeper than ${limits.maxDepth} levels` }
      }
      if (c === OPEN_OBJECT) {
        const parent = open.length > 0 ? open[open.length - 1]! : 0
        const underConstructor = parent < 0 && objects[-parent - 1]!.key === 'constructor'
        objects.push({ keys: new Set(), key: '', count: 0, underConstructor })
        open.push(-objects.length)
        expectKey = true
      } else {
        open.push(0)
        expectKey = false
      }
      i++
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      const top = open.pop()
      if (top !== undefined && top < 0) objects.pop()
      expectKey = false
      i++
    } else if (c === COMMA) {
      const top = open.length > 0 ? open[open.length - 1]! : 0
      if (open.length > 0 && top >= 0) open[open.length - 1] = top + 1
      else if (top < 0) expectKey = true
      i++
    } else if (c === MINUS || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1
      while (end < length && isNumberChar(text.charCodeAt(end))) end++
      if (found === undefined && underflows(text, i, end)) {
        report({ kind: 'number-underflow', pointer: pointer(), reason: 'number is too small for an IEEE 754 double and would be stored as 0 (I-JSON)' })
      }
      i = end
    } else {
      i++
    }
  }
  return found
}

function tokenOf (entry: number, objects: readonly ObjectFrame[]): string | number {
  return entry >= 0 ? entry : objects[-entry - 1]!.key
}

/**
 * Index of the quote closing the string whose content starts at `from`, or -1. A quote is
 * closing when an even number of backslashes precede it; each backslash run is counted once,
 * so the scan stays linear.
 */
function stringEnd (text: string, from: number): number {
  let at = from
  for (;;) {
    const quote = text.indexOf('"', at)
    if (quote === -1) return -1
    let backslashes = 0
    for (let b = quote - 1; b >= from && text.charCodeAt(b) === BACKSLASH; b--) backslashes++
    if (backslashes % 2 === 0) return quote
    at = quote + 1
  }
}

function decodeKey (text: string, from: number, to: number): string {
  const raw = text.slice(from, to)
  if (!raw.includes('\\')) return raw
  try {
    return JSON.parse(`"${raw}"`) as string
  } catch {
    // Not JSON; the parser reports it. Compare the raw text meanwhile.
    return raw
  }
}

function quoteKey (key: string): string {
  const shown = key.length > QUOTED_KEY_MAX ? `${key.slice(0, QUOTED_KEY_MAX)}…` : key
  return JSON.stringify(shown)
}

function isNumberChar (c: number): boolean {
  // digits . e E + -
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS
}

/**
 * A number token with a non-zero digit in its mantissa whose double value is 0. Only a
 * negative exponent or a very long token (hundreds of zeros after the point) can get below
 * the smallest double, 5e-324, so only those are converted.
 */
function underflows (text: string, from: number, to: number): boolean {
  let nonZero = false
  let inExponent = false
  let negativeExponent = false
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x65 || c === 0x45) inExponent = true
    else if (inExponent) negativeExponent ||= c === MINUS
    else if (c >= 0x31 && c <= 0x39) nonZero = true
  }
  return nonZero && (negativeExponent || to - from > 300) && Number(text.slice(from, to)) === 0
}
