import { isUtf8 } from 'node:buffer'
import type { FastifyInstance } from 'fastify'
import { RequestValidationError } from './field-error.js'

/**
 * JSON bodies are parsed from bytes so that invalid UTF-8 is refused instead of being
 * silently turned into U+FFFD and hashed. Prototype-poisoning keys are refused too.
 */
export function registerJsonBodyParser (app: FastifyInstance): void {
  // JSON is the only body this API takes; anything else is a 415, not a schema error.
  app.removeContentTypeParser('text/plain')
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer
    if (!isUtf8(bytes)) {
      done(new RequestValidationError([{ field: '', in: 'body', reason: 'body is not valid UTF-8' }]), undefined)
      return
    }
    parseJson(request, bytes.toString('utf8'), done)
  })
}
