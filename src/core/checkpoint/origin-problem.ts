import { keyNameProblem } from '../note/index.js'

/**
 * Why `origin` cannot be the origin line of this log's checkpoints, or undefined when it can.
 * c2sp.org/tlog-checkpoint: the origin is the first line of the note text, so it is non-empty
 * and has no newline, and (signed-note) no other control character and valid UTF-8. It SHOULD
 * contain neither Unicode spaces nor '+', and the log's key name SHOULD match it: this log
 * requires both, so every origin it signs could also name its key. Those are the key-name
 * rules exactly, hence one check.
 *
 * @example
 * originProblem('audit.example.com/acme') // undefined
 * originProblem('audit\u0001svc') // 'must not contain control characters, found U+0001: a signed note with one is malformed'
 */
export function originProblem (origin: unknown): string | undefined {
  return keyNameProblem(origin)
}
