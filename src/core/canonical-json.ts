import canonicalize from 'canonicalize'
import { CanonicalJsonError } from './canonical-json-error.js'

export { CanonicalJsonError } from './canonical-json-error.js'

/**
 * Serializes `value` with the JSON Canonicalization Scheme (RFC 8785).
 *
 * @throws {CanonicalJsonError} when the value has no canonical form.
 */
export function canonicalJson(value: unknown): string {
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

/**
 * UTF-8 bytes of {@link canonicalJson}; these are the exact bytes that get hashed.
 *
 * @throws {CanonicalJsonError} when the value has no canonical form.
 */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), 'utf8')
}
