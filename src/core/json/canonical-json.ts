import canonicalize from 'canonicalize'
import { CanonicalJsonError } from './canonical-json-error.js'

export { CanonicalJsonError } from './canonical-json-error.js'

/**
 * Serializes `value` with the JSON Canonicalization Scheme (RFC 8785).
 *
 * Plain JSON values (what `JSON.parse` makes: no `toJSON`, no `undefined`, no cycles) take a
 * direct path that produces the same text as the `canonicalize` library with far fewer
 * allocations (the library makes a `Set` per value and walks every string in JS); this is on
 * the path of every ingested, stored and verified event. Anything else, and every error, is
 * left to the library, so the two cannot disagree on an edge case
 * (test/core/json/canonical-json.test.ts compares them on generated values).
 *
 * @throws {CanonicalJsonError} when the value has no canonical form.
 */
export function canonicalJson (value: unknown): string {
  try {
    return writePlain(value, 0)
  } catch (err) {
    if (err !== NOT_PLAIN) throw err
  }
  return viaLibrary(value)
}

/**
 * UTF-8 bytes of {@link canonicalJson}; these are the exact bytes that get hashed.
 *
 * @throws {CanonicalJsonError} when the value has no canonical form.
 */
export function canonicalBytes (value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8')
}

function viaLibrary (value: unknown): string {
  let out: string | undefined
  try {
    out = canonicalize(value)
  } catch (err) {
    // The library throws plain Errors (and JSON.stringify TypeErrors for
    // BigInt); wrap them so callers can rely on one error type and code.
    const reason = err instanceof Error ? err.message : String(err)
    throw new CanonicalJsonError(`value cannot be canonicalized: ${reason}`, { cause: err })
  }
  if (out === undefined) {
    throw new CanonicalJsonError('value cannot be canonicalized: no JSON representation at top level')
  }
  return out
}

/** Thrown inside the direct path to hand the whole value to the library. */
const NOT_PLAIN = Symbol('not plain JSON')

// Deeper than any event may nest; past it the library decides (and detects cycles).
const MAX_PLAIN_DEPTH = 64

const isWellFormed = (s: string): boolean => (s as string & { isWellFormed (): boolean }).isWellFormed()

function writePlain (value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      // A lone surrogate has no UTF-8 form: the library's error, not ours.
      if (!isWellFormed(value)) throw NOT_PLAIN
      return JSON.stringify(value)
    case 'number':
      // ECMAScript number serialization (what JSON.stringify does) is RFC 8785 §3.2.2.3.
      if (!Number.isFinite(value)) throw NOT_PLAIN
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'object': {
      if (value === null) return 'null'
      if (depth >= MAX_PLAIN_DEPTH) throw NOT_PLAIN
      if (Array.isArray(value)) {
        let out = '['
        for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + writePlain(value[i], depth + 1)
        return out + ']'
      }
      const proto = Object.getPrototypeOf(value) as unknown
      if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN
      const keys = Object.keys(value).sort()
      let out = '{'
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!
        if (!isWellFormed(key)) throw NOT_PLAIN
        out += `${i === 0 ? '' : ','}${JSON.stringify(key)}:${writePlain((value as Record<string, unknown>)[key], depth + 1)}`
      }
      return out + '}'
    }
    default:
      // undefined, functions, symbols, BigInt: the library's rules (skip, null or error).
      throw NOT_PLAIN
  }
}
