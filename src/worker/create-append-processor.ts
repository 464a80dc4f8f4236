import { UnrecoverableError, type Job } from 'bullmq'
import type { Logger } from 'pino'
import type { ChainAppender } from './chain-appender.js'
import type { QueuedEvent, AppendOutcome } from '../core/chain/index.js'
import { APPEND_JOB_NAME, decodeJobEvent, type AppendJobData, type AppendJobResult, type JobEvent } from '../queue/append-job.js'
import type { EventQueue } from '../queue/create-event-queue.js'
import { JOB_MAC_MISMATCH, type JobMac } from '../queue/job-mac.js'
import type { WorkerMetrics } from '../metrics/worker-metrics.js'

export interface AppendProcessorOptions {
  appender: ChainAppender
  /** Where conflicting events of a multi-event job are re-queued alone, to be dead-lettered. */
  queue: EventQueue
  logger: Logger
  metrics?: WorkerMetrics
  /** JOB_HMAC_KEY: jobs whose MAC is missing or wrong are dead-lettered, never stored. */
  jobMac?: JobMac
}

/**
 * Turns one job into appends, one per tenant it holds. A redelivered job is harmless: its
 * events are found by (tenant, id) and reported as duplicates.
 *
 * An event whose id is stored with other content must not be overwritten, nor silently
 * dropped: a job holding only that event fails for good (the dead-letter set keeps it with
 * the reason); in a larger job the others are stored and the conflicting event is re-queued
 * as a job of its own, which then fails the same way.
 */
export function createAppendProcessor (options: AppendProcessorOptions) {
  const { appender, queue, logger, metrics, jobMac } = options
  return async function processAppendJob (job: Job<AppendJobData, AppendJobResult>): Promise<AppendJobResult> {
    const events = job.data.events
    // Whoever can write to Redis could otherwise add events the log then signs: such a job
    // fails for good and stays in the dead-letter set, with the reason, for an operator to see.
    if (jobMac !== undefined && !jobMac.verify(events, job.data.mac)) {
      logger.error({ job: job.id }, JOB_MAC_MISMATCH)
      throw new UnrecoverableError(JOB_MAC_MISMATCH)
    }
    let decoded: QueuedEvent[]
    try {
      decoded = events.map(decodeJobEvent)
    } catch (err) {
      // Only a bug or a hand-made job can carry a text that is not JSON: no retry will mend it.
      throw new UnrecoverableError(`job holds an event that cannot be read: ${(err as Error).message}`)
    }
    const wire = new Map<QueuedEvent, JobEvent>(decoded.map((event, i) => [event, events[i]!]))
    const byTenant = new Map<string, QueuedEvent[]>()
    for (const event of decoded) {
      const list = byTenant.get(event.record.tenant)
      if (list === undefined) byTenant.set(event.record.tenant, [event])
      else list.push(event)
    }
    const settled = await Promise.all([...byTenant].map(async ([tenant, list]) => {
      const outcomes = await appender.append(tenant, list)
      return outcomes.map((outcome, i) => ({ outcome, event: list[i]! }))
    }))
    const results = settled.flat()
    const conflicts = results.filter((r): r is { outcome: Extract<AppendOutcome, { status: 'conflict' }>, event: QueuedEvent } =>
      r.outcome.status === 'conflict')

    if (metrics !== undefined) {
      const now = Date.now()
      for (const { outcome, event } of results) {
        if (outcome.status === 'stored') {
          metrics.stored.inc()
          metrics.lag.observe((now - Date.parse(event.record.received_at)) / 1000)
        } else if (outcome.status === 'duplicate') {
          metrics.duplicates.inc()
        }
      }
    }
    if (conflicts.length > 0) {
      if (events.length === 1) {
        // Counted as a dead letter by the worker's 'failed' listener, once per job.
        throw new UnrecoverableError(conflicts[0]!.outcome.reason)
      }
      await queue.addBulk(conflicts.map(({ event }) => {
        // Re-queued as it came (either form), so its MAC is over the same text.
        const original = [wire.get(event)!]
        return {
          name: APPEND_JOB_NAME,
          data: jobMac === undefined ? { events: original } : { events: original, mac: jobMac.of(original) },
          // Deterministic id: a redelivery of this job does not queue the conflict twice.
          opts: { jobId: `conflict-${job.id}-${event.record.tenant}-${event.record.id}`, attempts: 1 }
        }
      }))
      logger.warn({ job: job.id, ids: conflicts.map(c => c.event.record.id) }, 'conflicting event ids re-queued for dead-lettering')
    }
    return {
      stored: results.filter(r => r.outcome.status === 'stored').length,
      duplicates: results.filter(r => r.outcome.status === 'duplicate').length,
      conflicts: conflicts.length
    }
  }
}
