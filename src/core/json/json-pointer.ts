/**
 * RFC 6901 JSON Pointer helpers, used to report *where* in an event a value was
 * redacted or rejected without ever echoing the value itself.
 */

/** Escapes one reference token: `~` becomes `~0` and `/` becomes `~1` (RFC 6901 section 3). */
export function escapePointerToken (token: string): string {
  // Nearly every key needs no escaping; skip the two scans that would allocate.
  if (!token.includes('~') && !token.includes('/')) return token
  // `~` must go first, otherwise the `~` introduced by `~1` would be escaped again.
  return token.replaceAll('~', '~0').replaceAll('/', '~1')
}

/**
 * Builds a pointer from reference tokens; `[]` is the whole document (`''`).
 * Numbers are array indices and must be non-negative integers.
 */
export function joinPointer (tokens: readonly (string | number)[]): string {
  let pointer = ''
  for (const token of tokens) {
    if (typeof token === 'number') {
      if (!Number.isSafeInteger(token) || token < 0) {
        throw new RangeError(`array index must be a non-negative integer, got ${token}`)
      }
      pointer += `/${token}`
    } else {
      pointer += `/${escapePointerToken(token)}`
    }
  }
  return pointer
}
