import { compileScrubber } from '../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../src/ingest/prepare-event.js'
import { APPEND_JOB_NAME, toJobEvent, type AppendJobData, type JobEvent } from '../src/queue/append-job.js'
import type { EventQueue } from '../src/queue/create-event-queue.js'
import type { AuditEventInput } from '../src/schemas/audit-event.js'
import { sampleEvent } from './sample-event.js'

export interface PrefillResult {
  events: number
  jobs: number
  /** Time to add the jobs to Redis (the events were prepared before; parsing included). */
  seconds: number
}

/**
 * The jobs the API would make for `events` events: each event through `prepareEvent`
 * (scrubbed, digested, server fields added), `jobEvents` events per job. Made once and
 * reused by every drain run (each run starts from an empty database, so the same ids are
 * new). Kept as JSON text: 200,000 live event objects would make every GC of the bench
 * process scan them, which on a busy machine cost more than preparing them.
 */
export function prepareJobs (tenant: string, events: number, jobEvents: number): string[] {
  const scrub = compileScrubber()
  const receivedAt = new Date().toISOString()
  const jobs: string[] = []
  for (let start = 0; start < events; start += jobEvents) {
    const batch: JobEvent[] = []
    for (let i = start; i < Math.min(events, start + jobEvents); i++) {
      // What the producer puts in a job, nothing more.
      batch.push(toJobEvent(prepareEvent(sampleEvent(i) as AuditEventInput, { tenant, requestId: `bench-prefill-${i}`, receivedAt, scrub })))
    }
    jobs.push(JSON.stringify({ events: batch } satisfies AppendJobData))
  }
  return jobs
}

/** Adds the jobs with `addBulk`, 50 at a time; the queue's default job options apply, as for the API's. */
export async function prefillQueue (queue: EventQueue, jobs: string[]): Promise<PrefillResult> {
  const started = performance.now()
  let events = 0
  for (let i = 0; i < jobs.length; i += 50) {
    const bulk = jobs.slice(i, i + 50).map(json => ({ name: APPEND_JOB_NAME, data: JSON.parse(json) as AppendJobData }))
    for (const job of bulk) events += job.data.events.length
    await queue.addBulk(bulk)
  }
  return {
    events,
    jobs: jobs.length,
    seconds: (performance.now() - started) / 1000
  }
}
