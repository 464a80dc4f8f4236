import { errorBody, MethodNotAllowedError, NotFoundError } from '../errors.js'

/** What the API's main thread last posted to the health thread (see health-listener.ts). */
export interface PostedReading {
  /** 200 or 503, as the main port's /health answers the same reading. */
  statusCode: number
  /** The reading as JSON text, served verbatim. */
  body: string
  /** Date.now() on the main thread when it posted: how the thread knows the main loop runs. */
  at: number
}

export interface HealthAnswer {
  statusCode: number
  body: string
  /** The Allow header of a 405. */
  allow?: string
}

/**
 * A /health body (valid against HealthResponse) for when no reading can be trusted. The
 * schema has no "unknown" check status, so the checks say "down" with an error that makes
 * clear nothing was checked; the top-level status and reason carry the meaning.
 */
export function unavailableReport (reason: string): string {
  const notChecked = { status: 'down', latency_ms: 0, error: `not checked: ${reason}` }
  return JSON.stringify({ status: 'unavailable', reasons: [reason], checks: { postgres: notChecked, redis: notChecked }, queue: null, checkpoints: null })
}

const json = (statusCode: number, value: unknown, allow?: string): HealthAnswer => ({ statusCode, body: JSON.stringify(value), ...(allow !== undefined && { allow }) })

/**
 * The health thread's whole policy, pure so it is tested without threads. A reading is served
 * as posted while the main thread keeps posting; once it has been silent for longer than
 * `staleAfterMs`, both /health and /health/live say 503: they speak for the API's event loop,
 * not for this thread, and a loop that stopped reporting cannot be serving requests well.
 * HEAD is answered like GET (Node drops the body), as the main port does.
 */
export function answerHealthProbe (request: { method?: string | undefined, url?: string | undefined }, latest: PostedReading | undefined, now: number, staleAfterMs: number): HealthAnswer {
  const method = request.method ?? 'GET'
  const path = (request.url ?? '/').split('?')[0]
  if (path !== '/health' && path !== '/health/live') {
    return json(404, errorBody(new NotFoundError(`no route ${method} ${path}`)))
  }
  if (method !== 'GET' && method !== 'HEAD') {
    return json(405, errorBody(new MethodNotAllowedError(`${method} ${path}: only GET and HEAD are served`)), 'GET, HEAD')
  }
  const problem = latest === undefined ? 'starting: the API has not posted its first health reading yet' : silence(now - latest.at, staleAfterMs)
  if (path === '/health/live') return problem === undefined ? json(200, { status: 'ok' }) : json(503, { status: 'unavailable', reasons: [problem] })
  if (problem === undefined && latest !== undefined) return { statusCode: latest.statusCode, body: latest.body }
  return { statusCode: 503, body: unavailableReport(problem ?? 'no reading') }
}

function silence (silentMs: number, staleAfterMs: number): string | undefined {
  if (silentMs <= staleAfterMs) return undefined
  return `the API's event loop has not reported for ${Math.round(silentMs)} ms (limit ${staleAfterMs} ms): it is blocked or overloaded`
}
