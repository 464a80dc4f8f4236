/**
 * A fault's own deliberate pause: an outage's length, a random kill moment. Never used to wait
 * for a condition (that is `waitFor`, which polls).
 */
export function pause (ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms))
}

/** A uniformly random duration in [min, max) milliseconds. */
export function randomMs (min: number, max: number): number {
  return min + Math.random() * (max - min)
}
