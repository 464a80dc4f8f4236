import autocannon from 'autocannon'

export interface LoadOptions {
  url: string
  method?: 'GET' | 'POST'
  body?: string
  /** Bearer API key, sent as `Authorization: Bearer <key>`. */
  apiKey?: string
  connections: number
  seconds: number
  overallRate?: number
}

/** What one autocannon run measured; latencies in ms (autocannon's resolution is 1 ms). */
export interface LoadResult {
  seconds: number
  ok: number
  non2xx: number
  errors: number
  timeouts: number
  okPerSecond: number
  p50: number
  p99: number
  max: number
  statusCodes: Record<string, number>
}

/**
 * Runs autocannon in this process. `onOk` is called for every 2xx response, so a caller can
 * build a per-second timeline while the load runs.
 */
export async function runLoad (options: LoadOptions, onOk?: () => void): Promise<LoadResult> {
  const instance = autocannon({
    url: options.url,
    method: options.method ?? 'GET',
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` })
    },
    ...(options.body === undefined ? {} : { body: options.body }),
    connections: options.connections,
    duration: options.seconds,
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate, ignoreCoordinatedOmission: true }),
    timeout: 10
  })
  if (onOk !== undefined) {
    instance.on('response', (_client: unknown, statusCode: number) => { if (statusCode >= 200 && statusCode < 300) onOk() })
  }
  const result = await instance
  return toLoadResult(result)
}

export function toLoadResult (result: autocannon.Result): LoadResult {
  return {
    seconds: result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    okPerSecond: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count]))
  }
}
