export interface CheckResult {
  status: 'up' | 'down'
  latency_ms: number
  error?: string
}

/** Runs a dependency probe with a deadline: a dead dependency must not make health hang. */
export async function timedCheck (probe: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    await Promise.race([probe(), deadline])
    return { status: 'up', latency_ms: round(performance.now() - started) }
  } catch (err) {
    return { status: 'down', latency_ms: round(performance.now() - started), error: (err as Error).message }
  } finally {
    clearTimeout(timer)
  }
}

function round (ms: number): number {
  return Math.round(ms * 100) / 100
}
