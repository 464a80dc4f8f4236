import { escapePointerToken } from '../core/json/index.js'

/** One thing wrong with a request, as the API reports it. */
export interface FieldError {
  /** JSON Pointer into the request part, e.g. `/events/3/actor/id`. */
  field: string
  in: 'body' | 'querystring' | 'params' | 'headers'
  reason: string
}

interface AjvLikeError {
  instancePath: string
  keyword: string
  message?: string
  params: Record<string, unknown>
}

/** Turns an Ajv error into a field and a reason a producer can act on. */
export function fieldErrorFromAjv (error: AjvLikeError, part: FieldError['in']): FieldError {
  const { params } = error
  if (error.keyword === 'required') {
    return { field: `${error.instancePath}/${String(params.missingProperty)}`, in: part, reason: 'required field is missing' }
  }
  if (error.keyword === 'additionalProperties') {
    // The key is the producer's: escaped, so that `a/b` is one token (RFC 6901), not two.
    return { field: `${error.instancePath}/${escapePointerToken(String(params.additionalProperty))}`, in: part, reason: 'unknown field (not in the schema)' }
  }
  if (error.keyword === 'anyOf' || error.keyword === 'const') {
    return { field: error.instancePath, in: part, reason: 'value is not one of the allowed values' }
  }
  return { field: error.instancePath, in: part, reason: error.message ?? error.keyword }
}

export class RequestValidationError extends Error {
  constructor (readonly errors: FieldError[], readonly statusCode = 400, readonly code = 'AUDIT_ERR_VALIDATION') {
    super(errors.map(e => `${e.in}${e.field}: ${e.reason}`).join('; '))
    this.name = 'RequestValidationError'
  }
}
