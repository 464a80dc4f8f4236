import { Type, type TSchema } from 'typebox'
import { AuditServiceError, ERROR_CODES, errorBody, FASTIFY_ERROR_CODES, ReadThreadFailedError, RequestValidationError, TooManyReadsError } from '../errors.js'

// A real answer of the service, not a hand-written one that could drift from it.
const missingActorId = new RequestValidationError([{ field: '/actor/id', in: 'body', reason: 'required field is missing' }])

/** The body the error handler sends for an error: what the OpenAPI examples show. */
export function errorAnswer (err: AuditServiceError): ErrorAnswer {
  return { ...errorBody(err), ...(err instanceof RequestValidationError && { errors: err.errors }) }
}

export interface ErrorAnswer {
  statusCode: number
  code: string
  error: string
  message: string
  errors?: Array<{ field: string, in: string, reason: string }>
}

export const ErrorResponse = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: `Stable error code, listed with its status and meaning in README "Error codes": ${[...Object.keys(ERROR_CODES), ...Object.keys(FASTIFY_ERROR_CODES)].join(', ')}` }),
  error: Type.String(),
  message: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({
    field: Type.String({ description: 'JSON Pointer into the request part named by `in`' }),
    in: Type.String({ description: 'body, querystring, params or headers' }),
    reason: Type.String()
  })))
}, { $id: 'ErrorResponse', examples: [errorAnswer(missingActorId)] })

/** A response header as the OpenAPI document declares it (see standard-responses.ts). */
export interface ResponseHeader {
  type: 'string' | 'integer'
  description: string
  /** Sent with every answer of this status; false: only with some (the description says when). */
  required: boolean
}

/**
 * A response schema for `@fastify/swagger`: the shape, what the answer means (instead of
 * "Default Response") and, when given, its headers. The shared component keeps its `$id`
 * out of the copy, so that the copy is linked back to it (link-schema-components.ts).
 */
export function described<T extends TSchema> (schema: T, description: string, headers: Record<string, ResponseHeader> = {}): T {
  const { $id: _id, ...shape } = schema as T & { $id?: string }
  return { ...shape, 'x-response-description': description, ...(Object.keys(headers).length > 0 && { headers }) } as unknown as T
}

/**
 * An error response with its own examples, real answers of the service built from the error
 * classes (the first is the one /docs shows), e.g.
 * `404: errorResponse('No such key (for this tenant)', new NotFoundError('no such key'))`.
 */
export function errorResponse (description: string, ...examples: Array<AuditServiceError | ErrorAnswer>) {
  const bodies = examples.map(e => e instanceof AuditServiceError ? errorAnswer(e) : e)
  // The error handler sends Retry-After with every 429 and 503 (and with a 409 that asks to retry).
  const retry: Record<string, ResponseHeader> = bodies.some(b => b.statusCode === 429 || b.statusCode === 503)
    ? { 'retry-after': { type: 'integer', description: 'Seconds to wait before retrying', required: true } }
    : {}
  return { ...described(ErrorResponse, description, retry), examples: bodies }
}

/** The errors of a verification or export beyond the standard ones: its read slot and its thread. */
export function wholeLogReadErrors (kind: 'verify' | 'export') {
  const limit = kind === 'verify' ? 'READ_VERIFY_PER_TENANT' : 'READ_EXPORT_PER_TENANT'
  return {
    429: errorResponse(`A rate limit is used up (\`AUDIT_ERR_RATE_LIMITED\`), or too many ${kind === 'verify' ? 'verifications' : 'exports'} of the tenant (\`${limit}\`) or reads of the instance (\`READ_MAX_CONCURRENT\`) are running (\`AUDIT_ERR_TOO_MANY_READS\`)`,
      new TooManyReadsError(`1 ${kind} run of tenant default already in progress (at most 1 at a time); retry when it ends`, 5)),
    503: errorResponse('Nothing was read: Redis cannot be reached to record the read (`AUDIT_ERR_QUEUE_UNAVAILABLE`), the read thread failed (`AUDIT_ERR_READ_THREAD_FAILED`), or the instance is shutting down (`AUDIT_ERR_SHUTTING_DOWN`)',
      new ReadThreadFailedError('it exited, code 1'))
  }
}
