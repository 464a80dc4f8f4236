import type { Queue } from 'bullmq'

/**
 * Seconds the oldest waiting job has waited (0 when none waits): the queue lag that /health
 * judges and the metrics export. It keeps growing while no worker takes jobs, where the
 * workers' own lag histogram only sees the jobs they finish.
 */
export async function oldestWaitingAge (queue: Queue, now: number = Date.now()): Promise<number> {
  const [oldest] = await queue.getJobs(['waiting'], 0, 0, true)
  return oldest === undefined ? 0 : Math.max(0, (now - oldest.timestamp) / 1000)
}
