import { AuditServiceError } from '../errors.js'

/** 429: a limit of the key, of the client's address or of own-access reads is used up. */
export class RateLimitedError extends AuditServiceError {
  override readonly retryAfterSeconds: number

  constructor (message: string, retryAfterSeconds: number) {
    super('AUDIT_ERR_RATE_LIMITED', 429, message)
    this.retryAfterSeconds = Math.max(1, retryAfterSeconds)
  }
}
