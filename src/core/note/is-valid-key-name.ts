const UNICODE_SPACE = /\p{White_Space}/u
const LONE_SURROGATE = /\p{Cs}/u

/**
 * C2SP signed-note key names: non-empty, valid UTF-8, no Unicode spaces and
 * no '+', since '+' delimits verifier keys and spaces delimit signature lines.
 */
export function isValidKeyName (name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    !name.includes('+') &&
    !UNICODE_SPACE.test(name) &&
    !LONE_SURROGATE.test(name)
  )
}
