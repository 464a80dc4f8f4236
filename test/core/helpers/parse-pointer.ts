// The inverse of joinPointer (src/core/json), which the service never needs: tests use it to
// follow the pointers the service reports back into the documents they sent.

/**
 * Splits a pointer into unescaped reference tokens. Array indices come back as
 * strings, because a pointer alone cannot tell an index from an object key.
 *
 * @throws SyntaxError if the pointer is non-empty and does not start with `/`,
 *   or contains a `~` not followed by `0` or `1`.
 */
export function parsePointer (pointer: string): string[] {
  if (pointer === '') return []
  if (!pointer.startsWith('/')) {
    throw new SyntaxError('JSON Pointer must be empty or start with "/"')
  }
  return pointer.slice(1).split('/').map(unescapePointerToken)
}

const BAD_ESCAPE = /~(?![01])/

function unescapePointerToken (token: string): string {
  if (BAD_ESCAPE.test(token)) {
    throw new SyntaxError('JSON Pointer "~" must be followed by "0" or "1"')
  }
  // Reverse order of escaping, so `~01` decodes to `~1` rather than `/`.
  return token.replaceAll('~1', '/').replaceAll('~0', '~')
}
