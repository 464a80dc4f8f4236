/**
 * The promise's outcome, or a rejection with `onTimeout()` once `ms` pass first. The timer is
 * cleared either way, so a settled race leaves nothing behind (the promise itself may still
 * settle later: nothing here can cancel it).
 *
 * @example
 * const counts = await raceDeadline(queue.getJobCounts(), 500, () => new Error('Redis did not answer within 500 ms'))
 */
export async function raceDeadline<T> (promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}
