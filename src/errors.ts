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

export class IdConflictError extends AuditServiceError {
  constructor (readonly conflicts: Array<{ index: number, id: string }>) {
    super('AUDIT_ERR_ID_CONFLICT', 409,
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
    super('AUDIT_ERR_ID_IN_PROGRESS', 409,
      `an earlier request with the same event id is still being accepted; retry shortly: ${ids.map(c => `/${c.index}/id ${c.id}`).join(', ')}`,
      ids)
  }
}

export class QueueUnavailableError extends AuditServiceError {
  constructor (reason: string) {
    super('AUDIT_ERR_QUEUE_UNAVAILABLE', 503, `queue unavailable, event not accepted: ${reason}`)
  }
}

export class BacklogFullError extends AuditServiceError {
  constructor (waiting: number, limit: number) {
    super('AUDIT_ERR_BACKLOG_FULL', 503, `queue backlog ${waiting} jobs is over the limit ${limit}; retry later`)
  }
}
