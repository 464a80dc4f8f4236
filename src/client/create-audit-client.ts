import type { Static } from 'typebox'
import { uuidV7 } from '../ingest/uuid-v7.js'
import { apiBase, callApi } from './call-api.js'
import type { AcceptedEvent, AuditEventInput } from '../schemas/audit-event.js'

export type AuditEvent = Static<typeof AuditEventInput>
export type Accepted = Static<typeof AcceptedEvent>

export interface AuditClientOptions {
  /** Base URL of audit-service, e.g. `http://audit:3000`. */
  url: string
  /** An API key with the `events:write` scope. */
  apiKey: string
  /** Events per batch request (at most 1,000). */
  batchSize?: number
  /** Longest an event waits in the buffer before its batch is sent. */
  flushIntervalMs?: number
  /** Events the buffer holds at most; `send` rejects beyond it (back-pressure on the caller). */
  maxBuffer?: number
  /** Attempts per request on 429, 503 and network errors. */
  maxAttempts?: number
  /** First retry delay; doubles each attempt (with jitter), or follows Retry-After. */
  backoffMs?: number
  /** Deadline of one HTTP request. */
  timeoutMs?: number
  onError?: (err: AuditClientError) => void
}

export class AuditClientError extends Error {
  constructor (message: string, readonly status?: number, readonly body?: unknown) {
    super(message)
    this.name = 'AuditClientError'
  }
}

interface Pending {
  event: AuditEvent & { id: string }
  resolve: (accepted: Accepted) => void
  reject: (err: AuditClientError) => void
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504])

/** Retryable answers: the statuses above, and a 409 that only says an earlier attempt is still being accepted. */
const retryable = (status: number, body: unknown): boolean =>
  RETRYABLE.has(status) || (status === 409 && (body as { code?: unknown } | undefined)?.code === 'AUDIT_ERR_ID_IN_PROGRESS')

/**
 * A producer's client for audit-service. Every event gets its id before the first attempt,
 * so a retry after a timeout is recognised by the service as the same event: retries never
 * duplicate.
 *
 * @example
 * const audit = createAuditClient({ url: 'http://audit:3000', apiKey: process.env.AUDIT_KEY! })
 * await audit.send({ occurred_at: new Date().toISOString(), action: 'user.login', actor: { type: 'user', id: 'u1' } })
 * await audit.close() // on shutdown: sends what is buffered
 */
export function createAuditClient (options: AuditClientOptions) {
  const batchSize = Math.min(options.batchSize ?? 100, 1000)
  const flushIntervalMs = options.flushIntervalMs ?? 100
  const maxBuffer = options.maxBuffer ?? 10_000
  const maxAttempts = options.maxAttempts ?? 8
  const backoffMs = options.backoffMs ?? 100
  const timeoutMs = options.timeoutMs ?? 10_000
  const base = apiBase(options.url)
  let buffer: Pending[] = []
  let timer: NodeJS.Timeout | undefined
  const inFlight = new Set<Promise<void>>()
  let closed = false

  async function post (path: string, body: unknown): Promise<unknown> {
    let lastError: AuditClientError | undefined
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let retryAfterMs: number | undefined
      try {
        const res = await callApi(base, path, { method: 'POST', apiKey: options.apiKey, json: body, timeoutMs })
        const { text } = res
        const parsed: unknown = text === '' ? undefined : JSON.parse(text)
        if (res.ok) return parsed
        lastError = new AuditClientError(`audit-service answered ${res.status}: ${(parsed as { message?: string } | undefined)?.message ?? text}`, res.status, parsed)
        if (!retryable(res.status, parsed)) throw lastError
        const header = Number(res.headers.get('retry-after'))
        if (Number.isFinite(header) && header > 0) retryAfterMs = header * 1000
      } catch (err) {
        if (err instanceof AuditClientError && err.status !== undefined && !retryable(err.status, err.body)) throw err
        if (!(err instanceof AuditClientError)) lastError = new AuditClientError(`request failed: ${(err as Error).message}`)
      }
      if (attempt < maxAttempts) {
        const delay = retryAfterMs ?? backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random())
        await new Promise(resolve => setTimeout(resolve, delay))
      }
    }
    throw lastError ?? new AuditClientError('request failed')
  }

  function withId (event: AuditEvent): AuditEvent & { id: string } {
    return event.id === undefined ? { ...event, id: uuidV7() } : event as AuditEvent & { id: string }
  }

  async function sendBatch (events: AuditEvent[]): Promise<Accepted[]> {
    const result = await post('/audit-events/batch', { events: events.map(withId) }) as { items: Accepted[] }
    return result.items
  }

  async function flushBuffer (): Promise<void> {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    while (buffer.length > 0) {
      const batch = buffer.slice(0, batchSize)
      buffer = buffer.slice(batchSize)
      const work = sendBatch(batch.map(p => p.event)).then(
        items => batch.forEach((p, i) => p.resolve(items[i]!)),
        (err: AuditClientError) => {
          options.onError?.(err)
          batch.forEach(p => p.reject(err))
        })
      inFlight.add(work)
      void work.finally(() => inFlight.delete(work))
    }
  }

  return {
    /** Queues one event; resolves once the service accepted it (202). */
    send (event: AuditEvent): Promise<Accepted> {
      if (closed) return Promise.reject(new AuditClientError('client is closed'))
      if (buffer.length >= maxBuffer) return Promise.reject(new AuditClientError(`buffer full (${maxBuffer} events): audit-service is slower than the producer`))
      return new Promise<Accepted>((resolve, reject) => {
        buffer.push({ event: withId(event), resolve, reject })
        if (buffer.length >= batchSize) void flushBuffer()
        else timer ??= setTimeout(() => { void flushBuffer() }, flushIntervalMs)
      })
    },
    /** Sends events at once as one batch request (all or nothing), with retries. */
    sendBatch,
    /** Sends everything buffered and waits for every request in flight. */
    async flush (): Promise<void> {
      await flushBuffer()
      await Promise.allSettled([...inFlight])
    },
    /** flush(), then refuse further events. Call it on shutdown. */
    async close (): Promise<void> {
      closed = true
      await this.flush()
    },
    get buffered (): number {
      return buffer.length
    }
  }
}

export type AuditClient = ReturnType<typeof createAuditClient>
