import { setTimeout as sleep } from 'node:timers/promises'

/** Polls `check` until it returns a truthy value; throws after `timeoutMs`. */
export async function waitUntil<T> (check: () => Promise<T> | T, what: string, timeoutMs = 30_000, intervalMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(intervalMs)
  }
}
