import { TooManyReadsError } from '../errors.js'

/** The reads that walk a whole log: each holds database connections and CPU for its length. */
export type ExpensiveRead = 'verify' | 'export'

export interface ReadLimiterOptions {
  /** Runs at a time per tenant, by kind. */
  perTenant: Record<ExpensiveRead, number>
  /** Runs at a time over all tenants, so a few tenants cannot take every read connection. */
  total: number
  /** Sent as Retry-After with a refusal. */
  retryAfterSeconds: number
}

/**
 * Counts the expensive reads running in this process. Beyond a limit a read is refused at
 * once (429 with Retry-After) rather than queued: a queue of whole-log reads would hold
 * sockets and memory for minutes, and the client can come back.
 */
export class ReadLimiter {
  readonly #options: ReadLimiterOptions
  readonly #running = new Map<string, number>()
  #total = 0

  constructor (options: ReadLimiterOptions) {
    this.#options = options
  }

  get running (): number {
    return this.#total
  }

  /**
   * Takes a slot or throws {@link TooManyReadsError}; the returned function gives it back
   * and may be called more than once.
   */
  acquire (tenant: string, kind: ExpensiveRead): () => void {
    const key = `${kind}\u0000${tenant}`
    const mine = this.#running.get(key) ?? 0
    const limit = this.#options.perTenant[kind]
    if (mine >= limit) {
      throw new TooManyReadsError(`${mine} ${kind} run${mine === 1 ? '' : 's'} of tenant ${tenant} already in progress (at most ${limit} at a time); retry when ${mine === 1 ? 'it ends' : 'one ends'}`, this.#options.retryAfterSeconds)
    }
    if (this.#total >= this.#options.total) {
      throw new TooManyReadsError(`${this.#total} verifications and exports already in progress on this instance (at most ${this.#options.total}); retry shortly`, this.#options.retryAfterSeconds)
    }
    this.#running.set(key, mine + 1)
    this.#total++
    let released = false
    return () => {
      if (released) return
      released = true
      this.#total--
      const left = (this.#running.get(key) ?? 1) - 1
      if (left === 0) this.#running.delete(key)
      else this.#running.set(key, left)
    }
  }
}
