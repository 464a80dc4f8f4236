/**
 * Keeps the latest result of an async probe and shares it: callers within `maxAgeMs` of the
 * last result get it without waiting, callers up to twice that get it too while one refresh
 * runs behind them, and older results are never served (the caller waits for a fresh one).
 * Concurrent callers share one probe. `maxAgeMs` 0 probes on every call.
 *
 * Why: `/health` under full ingest load must answer from memory, not queue behind the API's
 * own PostgreSQL and Redis traffic, while a load balancer that probes every few seconds still
 * gets a fresh reading each time.
 */
export class RecentResult<T> {
  readonly #probe: () => Promise<T>
  readonly #maxAgeMs: number
  readonly #now: () => number
  #latest: { value: T, at: number } | undefined
  #inFlight: Promise<T> | undefined

  constructor (probe: () => Promise<T>, maxAgeMs: number, now: () => number = () => performance.now()) {
    this.#probe = probe
    this.#maxAgeMs = maxAgeMs
    this.#now = now
  }

  async get (): Promise<T> {
    if (this.#maxAgeMs === 0) return await this.#probe()
    const latest = this.#latest
    const age = latest === undefined ? Infinity : this.#now() - latest.at
    if (latest !== undefined && age <= this.#maxAgeMs) return latest.value
    if (latest !== undefined && age <= 2 * this.#maxAgeMs) {
      this.#refresh().catch(() => {}) // a failing probe is the caller's next fresh result
      return latest.value
    }
    return await this.#refresh()
  }

  #refresh (): Promise<T> {
    this.#inFlight ??= (async () => {
      try {
        const value = await this.#probe()
        this.#latest = { value, at: this.#now() }
        return value
      } finally {
        this.#inFlight = undefined
      }
    })()
    return this.#inFlight
  }
}
