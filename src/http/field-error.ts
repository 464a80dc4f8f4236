import { escapePointerToken } from '../core/json/index.js'
import type { FieldError } from '../errors.js'
import { PATTERN_REASONS } from '../schemas/audit-event.js'

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
  const patternReason = error.keyword === 'pattern' ? PATTERN_REASONS[String(params.pattern)] : undefined
  if (patternReason !== undefined) return { field: error.instancePath, in: part, reason: patternReason }
  if (error.keyword === 'anyOf' || error.keyword === 'const') {
    return { field: error.instancePath, in: part, reason: 'value is not one of the allowed values' }
  }
  return { field: error.instancePath, in: part, reason: error.message ?? error.keyword }
}
