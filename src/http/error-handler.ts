import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AuditServiceError, MediaTypeError, reasonPhrase, RequestValidationError, type ErrorCode, type FieldError } from '../errors.js'
import { fieldErrorFromAjv } from './field-error.js'

/** Seconds a client should wait before retrying a 503 or 429 that names no time of its own. */
export const RETRY_AFTER_SECONDS = 2

/**
 * One error shape for every failure: `{ statusCode, code, error, message, errors? }`, where
 * `errors` names each bad field. Server faults are logged and answered without internals.
 */
export function errorHandler (fault: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const err = asAuditServiceError(fault, request)
  const statusCode = err.statusCode ?? 500
  let code = err.code ?? INTERNAL
  let message = err.message
  const errors = err instanceof RequestValidationError ? err.errors : undefined

  // A 429 not raised as RateLimitedError (a plugin's own) is still a rate limit, not a fault.
  if (statusCode === 429 && !(err instanceof AuditServiceError)) code = RATE_LIMITED
  if (statusCode >= 500 && !(err instanceof AuditServiceError)) {
    request.log.error({ err }, 'request failed')
    message = 'internal error'
    code = INTERNAL
  } else if (statusCode >= 500) {
    request.log.warn({ code, msg: err.message }, 'request refused')
  }
  const retryAfter = err instanceof AuditServiceError ? err.retryAfterSeconds : undefined
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter))
  else if ((statusCode === 503 || statusCode === 429) && !reply.hasHeader('retry-after')) reply.header('retry-after', String(RETRY_AFTER_SECONDS))
  reply.code(statusCode).send({ statusCode, code, error: reasonPhrase(statusCode), message, ...(errors && { errors }) })
}

const INTERNAL: ErrorCode = 'AUDIT_ERR_INTERNAL'
const RATE_LIMITED: ErrorCode = 'AUDIT_ERR_RATE_LIMITED'

/** Fastify's schema and media-type errors as the catalog's; any other error as it is. */
function asAuditServiceError (err: FastifyError, request: FastifyRequest): FastifyError | AuditServiceError {
  if (err.validation !== undefined) {
    const part = (err.validationContext ?? 'body') as FieldError['in']
    return new RequestValidationError(err.validation.map(e => fieldErrorFromAjv(e as never, part)))
  }
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    // Fastify says only "Unsupported Media Type": name what was sent (its media type, never
    // a long parameter list) and what is taken instead.
    return new MediaTypeError((request.headers['content-type'] ?? '').split(';')[0]!.trim().slice(0, 100) || '(none)')
  }
  return err
}
