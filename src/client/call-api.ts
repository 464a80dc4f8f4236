/** One answer of audit-service, its body read as text (errors and notes are text too). */
export interface ApiAnswer {
  ok: boolean
  status: number
  headers: Headers
  text: string
}

export interface CallApiOptions {
  method?: 'GET' | 'POST'
  /** Sent as `Authorization: Bearer <apiKey>` when set. */
  apiKey?: string
  /** Sent as the JSON body. */
  json?: unknown
  /** Deadline of the whole exchange, body included. */
  timeoutMs: number
}

/** The service's base URL without trailing slashes, so paths can be appended as they are. */
export function apiBase (url: string): string {
  return url.replace(/\/+$/, '')
}

/**
 * The HTTP layer of every client of the API (the producer's client, the witness). Any answer
 * resolves, so each caller decides which statuses it retries or refuses; a network error or
 * the deadline rejects with fetch's error.
 */
export async function callApi (base: string, path: string, options: CallApiOptions): Promise<ApiAnswer> {
  const headers: Record<string, string> = {}
  if (options.apiKey !== undefined) headers.authorization = `Bearer ${options.apiKey}`
  if (options.json !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(base + path, {
    method: options.method ?? 'GET',
    headers,
    ...(options.json !== undefined && { body: JSON.stringify(options.json) }),
    signal: AbortSignal.timeout(options.timeoutMs)
  })
  return { ok: res.ok, status: res.status, headers: res.headers, text: await res.text() }
}
