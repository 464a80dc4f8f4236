import { isUtf8 } from 'node:buffer'
import type { FastifyInstance } from 'fastify'
import { RequestValidationError } from '../errors.js'
import { findJsonTextProblem } from './find-json-text-problem.js'

/**
 * Deepest nesting a JSON body may have before it is even parsed. No body of this API nests
 * deeper than 12 levels (a batch, an event, metadata 8 levels deep); the event checks then
 * apply their own, tighter limits with precise messages.
 */
export const MAX_JSON_BODY_DEPTH = 32

/** Most keys one object of a JSON body may have before it is parsed (metadata allows 100). */
export const MAX_JSON_BODY_OBJECT_KEYS = 1000

const BOM = 0xfeff

const NOT_PARSED = Symbol('not parsed')

/**
 * JSON bodies are parsed from bytes so that invalid UTF-8 is refused instead of being
 * silently turned into U+FFFD and hashed. Before parsing, one pass over the text refuses
 * nesting bombs and objects of thousands of keys (parsing them is slow), and after it, what `JSON.parse` would hide: duplicate
 * keys, prototype-pollution keys (`__proto__`, `constructor.prototype`; Fastify's
 * secure-json-parse refuses them too) and numbers that underflow to 0. Every refusal is a
 * 400 naming the place (a JSON Pointer) and never quoting the body.
 */
export function registerJsonBodyParser (app: FastifyInstance): void {
  // JSON is the only body this API takes; anything else is a 415, not a schema error.
  app.removeContentTypeParser('text/plain')
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer
    if (bytes.length === 0) {
      done(refusal('', 'body is empty (a JSON document is expected)'), undefined)
      return
    }
    if (!isUtf8(bytes)) {
      done(refusal('', 'body is not valid UTF-8'), undefined)
      return
    }
    const text = bytes.toString('utf8')
    const problem = findJsonTextProblem(text, { maxDepth: MAX_JSON_BODY_DEPTH, maxKeys: MAX_JSON_BODY_OBJECT_KEYS })
    if (problem?.kind === 'depth' || problem?.kind === 'too-many-keys') {
      done(refusal(problem.pointer, problem.reason), undefined)
      return
    }
    if (problem === undefined) {
      // The scan found no prototype key, which is all that the secure parser adds to JSON.parse
      // (it scans the text again for them): parse it plainly, and only on a syntax error ask
      // the secure parser, whose error path below says what is wrong.
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch {
        value = NOT_PARSED
      }
      if (value !== NOT_PARSED) {
        done(null, value)
        return
      }
    }
    parseJson(request, text, (err, value) => {
      if (err !== null) {
        // secure-json-parse says only "invalid JSON": a syntax error, or a prototype key.
        const syntax = syntaxError(text)
        if (syntax !== undefined) done(refusal('', syntax), undefined)
        else if (problem !== undefined) done(refusal(problem.pointer, problem.reason), undefined)
        else done(err, undefined)
      } else if (problem !== undefined) {
        done(refusal(problem.pointer, problem.reason), undefined)
      } else {
        done(null, value)
      }
    })
  })
}

function refusal (field: string, reason: string): RequestValidationError {
  return new RequestValidationError([{ field, in: 'body', reason }])
}

/**
 * Why `text` is not JSON, or undefined when it is. V8's messages can quote the input, which
 * may hold a secret, so only the position is kept.
 */
function syntaxError (text: string): string | undefined {
  try {
    JSON.parse(text.charCodeAt(0) === BOM ? text.slice(1) : text)
    return undefined
  } catch (err) {
    const position = /at position (\d+)/.exec((err as Error).message)?.[1]
    if (position !== undefined) return `body is not valid JSON (at character ${position})`
    if (/end of JSON input/.test((err as Error).message)) return 'body is not valid JSON (it ends too early)'
    return 'body is not valid JSON'
  }
}
