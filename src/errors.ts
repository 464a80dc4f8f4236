/**
 * Every error code the service answers with, its HTTP status and what it means, in one place
 * (as Fastify's lib/errors.js lists its FST_ERR_*). README's "Error codes" table documents the
 * same codes, and test/errors.test.ts checks that source, catalog and README agree.
 *
 * Answers that are not AUDIT_ERR_*: Fastify's own codes it keeps (FASTIFY_ERROR_CODES below).
 */
export const ERROR_CODES = {
  AUDIT_ERR_VALIDATION: { statusCode: 400, meaning: 'the request is invalid; `errors` names each bad field and why' },
  AUDIT_ERR_TREE_SIZE: { statusCode: 400, meaning: 'a tree size (tree_size, from, to) is out of the log\'s range' },
  AUDIT_ERR_UNAUTHENTICATED: { statusCode: 401, meaning: 'no API key, or one that is unknown, malformed or revoked (or no metrics token)' },
  AUDIT_ERR_FORBIDDEN: { statusCode: 403, meaning: 'the key lacks the route\'s scope, or belongs to another tenant' },
  AUDIT_ERR_NOT_FOUND: { statusCode: 404, meaning: 'no such route, event, key or dead letter (for this tenant)' },
  AUDIT_ERR_NO_CHECKPOINT: { statusCode: 404, meaning: 'no signed checkpoint (yet, or at the size asked for)' },
  AUDIT_ERR_TILE_NOT_FOUND: { statusCode: 404, meaning: 'the tile or entry bundle is beyond the tenant\'s latest signed checkpoint (or the tenant has none)' },
  AUDIT_ERR_EMPTY_LOG: { statusCode: 404, meaning: 'the tenant has no events yet, so there is nothing to checkpoint' },
  AUDIT_ERR_METHOD_NOT_ALLOWED: { statusCode: 405, meaning: 'the health port serves only GET and HEAD' },
  AUDIT_ERR_NOT_ACCEPTABLE: { statusCode: 406, meaning: 'the Accept header allows none of the media types the route answers with (a proof, the latest checkpoint)' },
  AUDIT_ERR_ID_CONFLICT: { statusCode: 409, meaning: 'an event id was already accepted with different content' },
  AUDIT_ERR_ID_IN_PROGRESS: { statusCode: 409, meaning: 'an earlier request with the same event id is still being accepted' },
  AUDIT_ERR_NOT_CHECKPOINTED: { statusCode: 409, meaning: 'the event is stored but no checkpoint covers it yet' },
  AUDIT_ERR_RECORD_TOO_LARGE: { statusCode: 413, meaning: 'the record an event would become is too large (redactions or RECORD_MAX_BYTES)' },
  AUDIT_ERR_MEDIA_TYPE: { statusCode: 415, meaning: 'the body is not application/json' },
  AUDIT_ERR_ENTRY_TOO_LARGE: { statusCode: 422, meaning: 'an entry bundle holds a record stored by an older version that is over the 65,535 bytes a tlog-tiles entry can carry' },
  AUDIT_ERR_RATE_LIMITED: { statusCode: 429, meaning: 'a rate limit of the key, of the client\'s address or of own-access reads is used up' },
  AUDIT_ERR_TOO_MANY_READS: { statusCode: 429, meaning: 'too many verifications or exports running (per tenant or on this instance)' },
  AUDIT_ERR_INTERNAL: { statusCode: 500, meaning: 'a fault of the service; the details are in its log, never in the answer' },
  AUDIT_ERR_QUEUE_UNAVAILABLE: { statusCode: 503, meaning: 'Redis cannot be reached (or did not answer in time): the event was not accepted, or the read, key change or dead-letter operation not done; the message says which' },
  AUDIT_ERR_BACKLOG_FULL: { statusCode: 503, meaning: 'the queue backlog is over QUEUE_MAX_WAITING' },
  AUDIT_ERR_READ_THREAD_FAILED: { statusCode: 503, meaning: 'the thread running a verification or export died (crash, out of memory); it is replaced' },
  AUDIT_ERR_SHUTTING_DOWN: { statusCode: 503, meaning: 'the instance is shutting down: it takes no new request, and starts no new verification or export' }
} as const satisfies Record<`AUDIT_ERR_${string}`, { statusCode: number, meaning: string }>

export type ErrorCode = keyof typeof ERROR_CODES

/** Fastify's own errors that are answered with their code unchanged. */
export const FASTIFY_ERROR_CODES = {
  FST_ERR_CTP_BODY_TOO_LARGE: { statusCode: 413, meaning: 'the body is over BODY_LIMIT_BYTES (BATCH_BODY_LIMIT_BYTES for a batch)' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { statusCode: 400, meaning: 'the body\'s size does not match its Content-Length' },
  FST_ERR_BAD_URL: { statusCode: 400, meaning: 'the URL is not valid (e.g. a bad percent-encoding)' }
} as const satisfies Record<`FST_ERR_${string}`, { statusCode: number, meaning: string }>

/**
 * Codes of errors that are never HTTP answers: thrown by pure code (which stays free of HTTP)
 * or by the CLI and client, and defined where they are thrown.
 */
export const NON_HTTP_ERROR_CODES = {
  AUDIT_ERR_CANONICAL: 'src/core/json/canonical-json-error.ts',
  AUDIT_ERR_NOTE: 'src/core/note/note-verification-error.ts',
  AUDIT_ERR_NOTE_KEY: 'src/core/note/note-key-error.ts',
  AUDIT_ERR_CHECKPOINT: 'src/core/checkpoint/checkpoint-format-error.ts',
  AUDIT_ERR_ADD_CHECKPOINT: 'src/core/witness/add-checkpoint-request-error.ts',
  AUDIT_ERR_PROOF: 'src/proofs/proof-check-error.ts',
  AUDIT_ERR_RECEIPT: 'src/proofs/receipt.ts',
  AUDIT_ERR_TLOG_PROOF: 'src/proofs/tlog-proof.ts',
  AUDIT_ERR_CONFIG: 'src/config.ts'
} as const

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable'
}

/** The reason phrase of a status, the `error` member of every error answer. */
export function reasonPhrase (statusCode: number): string {
  return REASONS[statusCode] ?? 'Error'
}

/** Errors the service answers with on purpose. Each has a stable code, like Fastify's FST_ERR_*. */
export class AuditServiceError extends Error {
  /** Seconds the client should wait before retrying, sent as Retry-After (see error-handler.ts). */
  readonly retryAfterSeconds?: number

  constructor (readonly code: string, readonly statusCode: number, message: string, readonly details?: unknown) {
    super(message)
    this.name = 'AuditServiceError'
  }

  toJSON () {
    return { code: this.code, message: this.message, details: this.details }
  }
}

/** A code and its status from the catalog, the first two arguments of AuditServiceError. */
const catalogued = (code: ErrorCode) => [code, ERROR_CODES[code].statusCode] as const

/** The answer's body for an error sent without the error handler (404 handler, health port). */
export function errorBody (err: AuditServiceError): { statusCode: number, code: string, error: string, message: string } {
  return { statusCode: err.statusCode, code: err.code, error: reasonPhrase(err.statusCode), message: err.message }
}

/** One thing wrong with a request, as the API reports it. */
export interface FieldError {
  /** JSON Pointer into the request part, e.g. `/events/3/actor/id`. */
  field: string
  in: 'body' | 'querystring' | 'params' | 'headers'
  reason: string
}

/** The request is refused for the fields `errors` names (400, or 413/415 for those codes). */
export class RequestValidationError extends AuditServiceError {
  constructor (readonly errors: FieldError[], code: 'AUDIT_ERR_VALIDATION' | 'AUDIT_ERR_RECORD_TOO_LARGE' | 'AUDIT_ERR_MEDIA_TYPE' = 'AUDIT_ERR_VALIDATION') {
    super(...catalogued(code), errors.map(e => `${e.in}${e.field}: ${e.reason}`).join('; '))
    this.name = 'RequestValidationError'
  }
}

/**
 * The record an event would become is larger than the service stores (its redactions, or its
 * canonical size): 413, each error naming the event (`/events/<i>` in a batch) and the bound.
 */
export class RecordTooLargeError extends RequestValidationError {
  constructor (errors: FieldError[]) {
    super(errors, 'AUDIT_ERR_RECORD_TOO_LARGE')
    this.name = 'RecordTooLargeError'
  }
}

/** A body that is not JSON: the error names what was sent (its media type only). */
export class MediaTypeError extends RequestValidationError {
  constructor (sent: string) {
    super([{ field: '/content-type', in: 'headers', reason: `${sent} is not accepted: send application/json` }], 'AUDIT_ERR_MEDIA_TYPE')
    this.name = 'MediaTypeError'
  }
}

export class TreeSizeError extends AuditServiceError {
  constructor (message: string) {
    super(...catalogued('AUDIT_ERR_TREE_SIZE'), message)
  }
}

export class UnauthenticatedError extends AuditServiceError {
  constructor (message: string) {
    super(...catalogued('AUDIT_ERR_UNAUTHENTICATED'), message)
  }
}

export class ForbiddenError extends AuditServiceError {
  constructor (message: string) {
    super(...catalogued('AUDIT_ERR_FORBIDDEN'), message)
  }
}

export class NotFoundError extends AuditServiceError {
  constructor (message: string) {
    super(...catalogued('AUDIT_ERR_NOT_FOUND'), message)
  }
}

export class NoCheckpointError extends AuditServiceError {
  constructor (message: string) {
    super(...catalogued('AUDIT_ERR_NO_CHECKPOINT'), message)
  }
}

/** A tile or entry bundle the tenant's latest signed checkpoint does not cover (yet). */
export class TileNotFoundError extends AuditServiceError {
  constructor (message: string) {
    super(...catalogued('AUDIT_ERR_TILE_NOT_FOUND'), message)
  }
}

export class EmptyLogError extends AuditServiceError {
  constructor (message: string) {
    super(...catalogued('AUDIT_ERR_EMPTY_LOG'), message)
  }
}

export class MethodNotAllowedError extends AuditServiceError {
  constructor (message: string) {
    super(...catalogued('AUDIT_ERR_METHOD_NOT_ALLOWED'), message)
  }
}

/** Accept allows none of the route's media types; the message names them and the `format` override. */
export class NotAcceptableError extends AuditServiceError {
  constructor (accept: string, offered: readonly string[], override: string) {
    super(...catalogued('AUDIT_ERR_NOT_ACCEPTABLE'),
      `Accept: ${accept.length > 100 ? `${accept.slice(0, 100)}…` : accept} allows none of ${offered.join(', ')}: accept one of them, or pass ${override}`)
  }
}

export class IdConflictError extends AuditServiceError {
  constructor (readonly conflicts: Array<{ index: number, id: string }>) {
    super(...catalogued('AUDIT_ERR_ID_CONFLICT'),
      `event id already accepted with different content: ${conflicts.map(c => `/${c.index}/id ${c.id}`).join(', ')}`,
      conflicts)
  }
}

/**
 * Another request with the same id is being accepted right now (its enqueue is in flight, in
 * this instance or another): answered 409 with Retry-After, as the IETF Idempotency-Key draft
 * asks, because answering `duplicate` before the first is in Redis could lose the event.
 */
export class IdInProgressError extends AuditServiceError {
  override readonly retryAfterSeconds = 1

  constructor (readonly ids: Array<{ index: number, id: string }>) {
    super(...catalogued('AUDIT_ERR_ID_IN_PROGRESS'),
      `an earlier request with the same event id is still being accepted; retry shortly: ${ids.map(c => `/${c.index}/id ${c.id}`).join(', ')}`,
      ids)
  }
}

export class NotCheckpointedError extends AuditServiceError {
  constructor (message: string) {
    super(...catalogued('AUDIT_ERR_NOT_CHECKPOINTED'), message)
  }
}

/**
 * An entry bundle would hold a record over 65,535 bytes (stored before RECORD_MAX_BYTES was
 * bounded to what a tlog-tiles entry can carry): the record is read with the JSON API instead.
 */
export class EntryTooLargeError extends AuditServiceError {
  constructor (readonly seq: number, bytes: number, tenant: string) {
    super(...catalogued('AUDIT_ERR_ENTRY_TOO_LARGE'),
      `the record at seq ${seq} is ${bytes} bytes, over the 65535 a tlog-tiles entry can carry (it was stored by an older version): read it with GET /audit-events?tenant=${tenant}&seq_from=${seq}&seq_to=${seq} (its leaf hash is in the hash tiles)`)
  }
}

/** 429: a limit of the key, of the client's address or of own-access reads is used up. */
export class RateLimitedError extends AuditServiceError {
  override readonly retryAfterSeconds: number

  constructor (message: string, retryAfterSeconds: number) {
    super(...catalogued('AUDIT_ERR_RATE_LIMITED'), message)
    this.retryAfterSeconds = Math.max(1, retryAfterSeconds)
  }
}

/** 429: too many whole-log reads (verify, export) are running; see limits/read-limiter.ts. */
export class TooManyReadsError extends AuditServiceError {
  override readonly retryAfterSeconds: number

  constructor (message: string, retryAfterSeconds: number) {
    super(...catalogued('AUDIT_ERR_TOO_MANY_READS'), message)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** Redis is away: `outcome` says what was not done (by default, the event was not accepted). */
export class QueueUnavailableError extends AuditServiceError {
  constructor (readonly reason: string, outcome = 'event not accepted') {
    super(...catalogued('AUDIT_ERR_QUEUE_UNAVAILABLE'), `queue unavailable, ${outcome}: ${reason}`)
  }
}

export class BacklogFullError extends AuditServiceError {
  constructor (waiting: number, limit: number) {
    super(...catalogued('AUDIT_ERR_BACKLOG_FULL'), `queue backlog ${waiting} jobs is over the limit ${limit}; retry later`)
  }
}

/** A read thread died (crashed, ran out of memory) while a verification or export ran on it. */
export class ReadThreadFailedError extends AuditServiceError {
  constructor (reason: string) {
    super(...catalogued('AUDIT_ERR_READ_THREAD_FAILED'), `the read thread failed (${reason}); retry the request`)
  }
}

export class ShuttingDownError extends AuditServiceError {
  // Another instance can take the request at once.
  override readonly retryAfterSeconds = 1
  constructor () {
    super(...catalogued('AUDIT_ERR_SHUTTING_DOWN'), 'the service is shutting down')
  }
}

/** A fault of the service, as answered: what went wrong is in the log, never in the answer. */
export class InternalError extends AuditServiceError {
  constructor () {
    super(...catalogued('AUDIT_ERR_INTERNAL'), 'internal error')
  }
}

/** An error a thread sent across as its code and message, as the catalog's error again. */
export function catalogError (code: string, message: string): AuditServiceError | undefined {
  if (!Object.hasOwn(ERROR_CODES, code)) return undefined
  return new AuditServiceError(...catalogued(code as ErrorCode), message)
}
