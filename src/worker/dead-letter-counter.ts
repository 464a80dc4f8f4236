import type { Job, Worker } from 'bullmq'
import type { RedisClient } from '../queue/redis-connection.js'
import type { Logger } from 'pino'
import type { WorkerMetrics } from '../metrics/worker-metrics.js'
import type { AppendJobData, AppendJobResult } from '../queue/append-job.js'

/**
 * A field of the job's own hash marking it as counted. A dead letter put back by
 * `POST /dead-letters/{job_id}/retry` keeps its hash (BullMQ clears only its own fields), so
 * when it fails again it is not counted again; discarding it deletes the hash and the mark.
 */
export const DEAD_LETTER_COUNTED = 'auditDeadLetterCounted'

/**
 * Counts the events of a job in `audit_events_dead_lettered_total` when it fails for good
 * (no retry left, or a failure no retry can mend), once per job. For the worker's 'failed'
 * listener, which also hears the attempts that will be retried. `redis` is any connection to
 * the queue's Redis (the worker's own is busy with blocking reads).
 */
export function deadLetterCounter (worker: Worker<AppendJobData, AppendJobResult>, redis: RedisClient, metrics: WorkerMetrics, logger: Logger) {
  return (job: Job<AppendJobData, AppendJobResult>): void => {
    // BullMQ sets finishedOn only when it moves the job to the failed set, not on a retry.
    if (job.finishedOn === undefined || job.finishedOn === null || job.id === undefined) return
    const key = worker.toKey(job.id)
    redis.hsetnx(key, DEAD_LETTER_COUNTED, '1').then(first => {
      if (first === 1) metrics.deadLettered.inc(job.data.events.length)
    }).catch((err: unknown) => { logger.warn({ job: job.id, err: (err as Error).message }, 'dead letter not counted in the metrics') })
  }
}
