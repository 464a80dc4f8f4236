/**
 * RFC 6901 JSON Pointer helpers, used to report *where* in an event a value was
 * redacted or rejected without ever echoing the value itself.
 */

/** Escapes one reference token: `~` becomes `~0` and `/` becomes `~1` (RFC 6901 section 3). */
export function escapePointerToken(token: string): string {
  // Nearly every key needs no escaping; skip the two scans that would allocate.
  if (!token.includes('~') && !token.includes('/')) return token
  // `~` must go first, otherwise the `~` introduced by `~1` would be escaped again.
  return token.replaceAll('~', '~0').replaceAll('/', '~1')
}

/**
 * Builds a pointer from reference tokens; `[]` is the whole document (`''`).
 * Numbers are array indices and must be non-negative integers.
 */
export function joinPointer(tokens: readonly (string | number)[]): string {
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

/**
 * Splits a pointer into unescaped reference tokens. Array indices come back as
 * strings, because a pointer alone cannot tell an index from an object key.
 *
 * @throws SyntaxError if the pointer is non-empty and does not start with `/`,
 *   or contains a `~` not followed by `0` or `1`.
 */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) {
    throw new SyntaxError('JSON Pointer must be empty or start with "/"')
  }
  return pointer.slice(1).split('/').map(unescapePointerToken)
}

const BAD_ESCAPE = /~(?![01])/

function unescapePointerToken(token: string): string {
  if (BAD_ESCAPE.test(token)) {
    throw new SyntaxError('JSON Pointer "~" must be followed by "0" or "1"')
  }
  // Reverse order of escaping, so `~01` decodes to `~1` rather than `/`.
  return token.replaceAll('~1', '/').replaceAll('~0', '~')
}
