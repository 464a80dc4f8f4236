// Unicode White_Space is exactly the set Go's unicode.IsSpace reports (U+0085 and U+00A0
// included), which golang.org/x/mod/sumdb/note refuses in key names. JavaScript's \s is not:
// it lacks U+0085 and adds U+FEFF.
const UNICODE_SPACE = /\p{White_Space}/u
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f]/
const LONE_SURROGATE = /\p{Cs}/u

function codePoint (c: string): string {
  return `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`
}

/**
 * Why `name` cannot be a C2SP signed-note key name (https://c2sp.org/signed-note), or
 * undefined when it can: it must be non-empty, valid UTF-8, without Unicode spaces (they
 * delimit signature lines) or '+' (it delimits verifier keys). The name is written in every
 * signature line, and a note must not contain a control character but newline: a name with
 * one would make every note signed with it malformed, so it is refused too.
 *
 * @example
 * keyNameProblem('audit.example/acme') // undefined
 * keyNameProblem('audit\u0085svc') // 'must not contain spaces or other Unicode whitespace, found U+0085'
 */
export function keyNameProblem (name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'must be a non-empty string'
  const space = UNICODE_SPACE.exec(name)
  if (space !== null) return `must not contain spaces or other Unicode whitespace, found ${codePoint(space[0])}`
  const control = CONTROL.exec(name)
  if (control !== null) return `must not contain control characters, found ${codePoint(control[0])}: a signed note with one is malformed`
  if (name.includes('+')) return 'must not contain "+"'
  if (LONE_SURROGATE.test(name)) return 'must be valid UTF-8 (it has a lone surrogate)'
  return undefined
}
