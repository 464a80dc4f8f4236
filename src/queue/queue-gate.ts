import { AuditServiceError, QueueUnavailableError } from '../errors.js'
import { raceDeadline } from '../race-deadline.js'

export interface QueueGateOptions {
  /** The connection the API's queue commands go through (BullMQ's Queue shares it): an ioredis Redis. */
  redis: { readonly status: string, ping (): Promise<unknown> }
  /** HEALTH_TIMEOUT_MS: the longest a request waits for one Redis step. */
  deadlineMs: number
}

/**
 * Keeps requests that need Redis from hanging on it, so they are answered 503 (with
 * Retry-After, by the error handler) within the health deadline:
 * - while the connection is not `ready`, a request is refused at once. BullMQ's Queue would
 *   otherwise wait for the connection's first `ready` without bound (an API started while
 *   Redis was down held such requests until the socket closed), and a command would sit in
 *   ioredis's offline queue for one or two reconnection attempts;
 * - a step on a ready connection races the deadline (a Redis that stops answering without
 *   closing the socket), and a step failed by the connection going away is refused likewise,
 *   not answered as a fault of the service.
 * Ingest is not gated here: its enqueue keeps its own timeout and offline queue (EventProducer).
 */
export class QueueGate {
  readonly #redis: QueueGateOptions['redis']
  readonly #deadlineMs: number

  constructor (options: QueueGateOptions) {
    this.#redis = options.redis
    this.#deadlineMs = options.deadlineMs
  }

  /** Throws QueueUnavailableError (503) unless the connection is ready; `outcome` says what was not done. */
  check (outcome: string): void {
    const status = this.#redis.status
    if (status !== 'ready') throw new QueueUnavailableError(`the Redis connection is ${status}`, outcome)
  }

  /**
   * Asks Redis for a PING within the deadline: before work that needs Redis only at its end (a
   * verification is recorded once it ran) or whose Redis step has a longer bound of its own
   * (the enqueue of an own-access event), so a Redis that stopped answering with the connection
   * still open refuses it within the deadline too.
   */
  async probe (outcome: string): Promise<void> {
    await this.run(() => this.#redis.ping(), outcome)
  }

  /** Runs one Redis step within the deadline; Redis being away becomes QueueUnavailableError. */
  async run<T> (step: () => Promise<T>, outcome: string): Promise<T> {
    this.check(outcome)
    const ms = this.#deadlineMs
    try {
      return await raceDeadline(step(), ms, () => new QueueUnavailableError(`Redis did not answer within ${ms} ms`, outcome))
    } catch (err) {
      // Anything else failed on a working connection: a fault, answered 500 and logged.
      if (err instanceof AuditServiceError || (this.#redis.status === 'ready' && !isConnectionLoss(err))) throw err
      throw new QueueUnavailableError((err as Error).message, outcome)
    }
  }
}

/** ioredis's answer to a command given up on while it reconnects. */
function isConnectionLoss (err: unknown): boolean {
  return err instanceof Error && (err.name === 'MaxRetriesPerRequestError' || err.message === 'Connection is closed.')
}
