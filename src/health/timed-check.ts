import { raceDeadline } from '../race-deadline.js'

export interface CheckResult {
  status: 'up' | 'down'
  latency_ms: number
  error?: string
}

/** Runs a dependency probe with a deadline: a dead dependency must not make health hang. */
export async function timedCheck (probe: () => Promise<unknown>, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now()
  try {
    await raceDeadline(probe(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`))
    return { status: 'up', latency_ms: round(performance.now() - started) }
  } catch (err) {
    return { status: 'down', latency_ms: round(performance.now() - started), error: (err as Error).message }
  }
}

function round (ms: number): number {
  return Math.round(ms * 100) / 100
}
