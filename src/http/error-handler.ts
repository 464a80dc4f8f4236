import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AuditServiceError } from '../errors.js'
import { fieldErrorFromAjv, RequestValidationError, type FieldError } from './field-error.js'

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable'
}

/** Seconds a client should wait before retrying a 503 or 429 that names no time of its own. */
export const RETRY_AFTER_SECONDS = 2

/**
 * One error shape for every failure: `{ statusCode, code, error, message, errors? }`, where
 * `errors` names each bad field. Server faults are logged and answered without internals.
 */
export function errorHandler (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  let statusCode = err.statusCode ?? 500
  let code = err.code ?? 'AUDIT_ERR_INTERNAL'
  let message = err.message
  let errors: FieldError[] | undefined

  if (err.validation !== undefined) {
    const part = (err.validationContext ?? 'body') as FieldError['in']
    errors = err.validation.map(e => fieldErrorFromAjv(e as never, part))
    statusCode = 400
    code = 'AUDIT_ERR_VALIDATION'
    message = errors.map(e => `${e.in}${e.field}: ${e.reason}`).join('; ')
  } else if (err instanceof RequestValidationError) {
    errors = err.errors
  } else if (err instanceof AuditServiceError) {
    statusCode = err.statusCode
    code = err.code
  } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    // Fastify says only "Unsupported Media Type": name what was sent (its media type, never
    // a long parameter list) and what is taken instead.
    const sent = (request.headers['content-type'] ?? '').split(';')[0]!.trim().slice(0, 100) || '(none)'
    errors = [{ field: '/content-type', in: 'headers', reason: `${sent} is not accepted: send application/json` }]
    code = 'AUDIT_ERR_MEDIA_TYPE'
    message = `headers/content-type: ${errors[0]!.reason}`
  }

  // A 429 not raised as RateLimitedError (a plugin's own) is still a rate limit, not a fault.
  if (statusCode === 429 && !(err instanceof AuditServiceError)) code = 'AUDIT_ERR_RATE_LIMITED'
  if (statusCode >= 500 && !(err instanceof AuditServiceError)) {
    request.log.error({ err }, 'request failed')
    message = 'internal error'
    code = 'AUDIT_ERR_INTERNAL'
  } else if (statusCode >= 500) {
    request.log.warn({ code, msg: err.message }, 'request refused')
  }
  const retryAfter = err instanceof AuditServiceError ? err.retryAfterSeconds : undefined
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter))
  else if ((statusCode === 503 || statusCode === 429) && !reply.hasHeader('retry-after')) reply.header('retry-after', String(RETRY_AFTER_SECONDS))
  reply.code(statusCode).send({ statusCode, code, error: REASONS[statusCode] ?? 'Error', message, ...(errors && { errors }) })
}
