import { randomUUID } from 'node:crypto'
import { ADMIN_AUTH, sampleEvent } from '../helper.js'

/** What one HTTP attempt to send an event ended with. */
export type Attempt = { sentAt: number, at: number } & (
  | { kind: 'accepted', duplicate: boolean, receivedAt: string, recordSha256: string | undefined }
  | { kind: 'refused', status: number, code: string | undefined, retryAfter: string | null }
  | { kind: 'timeout' }
  | { kind: 'network', error: string })

export interface SentEvent {
  id: string
  tenant: string
  body: Record<string, unknown>
  attempts: Attempt[]
}

export interface EventStreamOptions {
  /** Base URL of the API (read at every attempt, so an API restarted elsewhere is followed). */
  baseUrl: () => string
  tenants: string[]
  /** Requests in flight at once. */
  concurrency: number
  /** Events per second in total; omitted: as fast as the API answers. */
  ratePerSecond?: number
  /** Stop after this many requests (events, or batches of `batchSize`). */
  maxRequests?: number
  /** Client timeout of an attempt (what a producer would use). */
  timeoutMs?: number
  /**
   * Producer retries (fault 7): the first attempt of an event gets this (short) timeout, and an
   * attempt that timed out or failed on the network is sent again, same id and content.
   */
  firstAttemptTimeoutMs?: () => number
  maxAttempts?: number
  /** Every n-th event is also sent a second time at once, concurrently with the first. */
  twinEvery?: number
  /**
   * Events per request: above 1, each request is a POST /audit-events/batch of that many new
   * events (all or nothing: one answer, recorded for each of them). No retries or twins then.
   */
  batchSize?: number
}

/**
 * A producer loop with known ids: every event gets its own UUID before it is sent, and every
 * attempt's outcome is recorded per id (202, refused with a status, client timeout, network
 * error), so a check can later hold each id against what is stored.
 */
export class EventStream {
  readonly events = new Map<string, SentEvent>()
  /** Answers that break the API's contract (a 202 naming another id); must stay empty. */
  readonly protocolErrors: string[] = []
  readonly #opts: EventStreamOptions
  #running = false
  #loops: Promise<void>[] = []
  #issued = 0
  #t0 = 0
  #stopping = new AbortController()

  constructor (options: EventStreamOptions) {
    this.#opts = options
  }

  start (): void {
    if (this.#running) return
    this.#running = true
    this.#stopping = new AbortController()
    this.#t0 = performance.now()
    this.#issued = 0
    this.#loops = Array.from({ length: this.#opts.concurrency }, () => this.#loop())
  }

  /** Stops issuing new events and waits for the attempts in flight to end. */
  async stop (): Promise<void> {
    this.#running = false
    this.#stopping.abort()
    await Promise.all(this.#loops)
  }

  /** Resolves when the stream ended by itself (maxRequests reached). */
  async finished (): Promise<void> {
    await Promise.all(this.#loops)
    this.#running = false
  }

  /** Sends one event (all its attempts) outside the loop, e.g. a deliberate re-delivery. */
  async deliver (event: SentEvent, timeoutMs = this.#opts.timeoutMs ?? 10_000): Promise<Attempt> {
    const attempt = await this.#attempt(event, timeoutMs)
    event.attempts.push(attempt)
    return attempt
  }

  get size (): number {
    return this.events.size
  }

  acceptedIds (): string[] {
    return [...this.events.values()].filter(isAccepted).map(e => e.id)
  }

  countAccepted (): number {
    let n = 0
    for (const e of this.events.values()) if (isAccepted(e)) n++
    return n
  }

  /** All attempts sent at or after `from` that ended before `to` (performance.now() clock). */
  attemptsBetween (from: number, to = Infinity): Attempt[] {
    return [...this.events.values()].flatMap(e => e.attempts.filter(a => a.sentAt >= from && a.at < to))
  }

  async #loop (): Promise<void> {
    const { maxRequests, ratePerSecond } = this.#opts
    while (this.#running) {
      if (maxRequests !== undefined && this.#issued >= maxRequests) return
      const ticket = this.#issued++
      if (ratePerSecond !== undefined) {
        const due = this.#t0 + ticket * 1000 / ratePerSecond
        const wait = due - performance.now()
        if (wait > 0) await sleep(wait, this.#stopping.signal)
        if (!this.#running) return
      }
      if ((this.#opts.batchSize ?? 1) > 1) await this.#sendBatch(ticket)
      else await this.#sendNew(ticket)
    }
  }

  async #sendBatch (n: number): Promise<void> {
    const size = this.#opts.batchSize!
    const batch = Array.from({ length: size }, (_, i) => this.#newEvent(n * size + i))
    const sentAt = performance.now()
    const attempts = await this.#post('/audit-events/batch', { events: batch.map(e => e.body) }, this.#opts.timeoutMs ?? 10_000, sentAt, batch)
    batch.forEach((event, i) => event.attempts.push(attempts[i]!))
  }

  #newEvent (n: number): SentEvent {
    const tenant = this.#opts.tenants[n % this.#opts.tenants.length]!
    const id = randomUUID()
    const body = sampleEvent({ id, tenant, target: { type: 'doc', id: `d${n}` }, metadata: { n } })
    const event: SentEvent = { id, tenant, body, attempts: [] }
    this.events.set(id, event)
    return event
  }

  async #sendNew (n: number): Promise<void> {
    const event = this.#newEvent(n)
    const twin = this.#opts.twinEvery !== undefined && n % this.#opts.twinEvery === 0
    await Promise.all([this.#sendWithRetries(event), twin ? this.#sendWithRetries(event) : undefined])
  }

  async #sendWithRetries (event: SentEvent): Promise<void> {
    const { firstAttemptTimeoutMs, maxAttempts = 1, timeoutMs = 10_000 } = this.#opts
    for (let i = 0; i < maxAttempts; i++) {
      const attempt = await this.#attempt(event, i === 0 && firstAttemptTimeoutMs !== undefined ? firstAttemptTimeoutMs() : timeoutMs)
      event.attempts.push(attempt)
      if (attempt.kind === 'accepted' || attempt.kind === 'refused') return
    }
  }

  async #attempt (event: SentEvent, timeoutMs: number): Promise<Attempt> {
    const [attempt] = await this.#post('/audit-events', event.body, timeoutMs, performance.now(), [event])
    return attempt!
  }

  /** One POST; the outcome for each of the events it carries (a batch is all or nothing). */
  async #post (path: string, body: unknown, timeoutMs: number, sentAt: number, events: SentEvent[]): Promise<Attempt[]> {
    const all = (attempt: Attempt) => events.map(() => attempt)
    try {
      const res = await fetch(`${this.#opts.baseUrl()}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...ADMIN_AUTH },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(Math.max(1, Math.round(timeoutMs)))
      })
      const text = await res.text()
      const at = performance.now()
      if (res.status === 202) {
        const parsed = JSON.parse(text) as Answer | { items: Answer[] }
        const answers = 'items' in parsed ? parsed.items : [parsed]
        return events.map((event, i) => {
          const answer = answers[i]
          if (answer?.id !== event.id) this.protocolErrors.push(`202 for ${event.id} names ${answer?.id}`)
          return { kind: 'accepted', sentAt, at, duplicate: answer?.duplicate ?? false, receivedAt: answer?.received_at ?? '', recordSha256: answer?.record_sha256 }
        })
      }
      let code: string | undefined
      try { code = (JSON.parse(text) as { code?: string }).code } catch { /* not JSON */ }
      return all({ kind: 'refused', sentAt, at, status: res.status, code, retryAfter: res.headers.get('retry-after') })
    } catch (err) {
      const at = performance.now()
      const e = err as Error & { cause?: { code?: string, message?: string } }
      if (e.name === 'TimeoutError' || e.name === 'AbortError') return all({ kind: 'timeout', sentAt, at })
      return all({ kind: 'network', sentAt, at, error: e.cause?.code ?? e.cause?.message ?? e.message })
    }
  }
}

interface Answer { id: string, duplicate: boolean, received_at: string, record_sha256?: string }

export function isAccepted (event: SentEvent): boolean {
  return event.attempts.some(a => a.kind === 'accepted')
}

/** Pacing delay of the producer loop, cut short when the stream stops. */
function sleep (ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const done = () => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve() }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done)
  })
}
