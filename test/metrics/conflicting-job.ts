import type { FastifyInstance } from 'fastify'
import { compileScrubber } from '../../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../../src/ingest/prepare-event.js'
import { APPEND_JOB_NAME, toJobEvent } from '../../src/queue/append-job.js'
import type { AuditEventInput } from '../../src/schemas/audit-event.js'
import { sampleEvent } from '../helper.js'

/**
 * Queues, past the API (whose idempotency memory would answer 409), an event whose id is
 * stored with other content: the worker dead-letters it. Resolves with the job's id.
 */
export async function queueConflictingEvent (app: FastifyInstance, tenant: string, id: string): Promise<string> {
  const rewrite = prepareEvent(sampleEvent({ id, outcome: 'failure' }) as AuditEventInput, { tenant, requestId: 'r', receivedAt: new Date().toISOString(), scrub: compileScrubber() })
  const job = await app.eventQueue.add(APPEND_JOB_NAME, { events: [toJobEvent(rewrite)] })
  return job.id!
}
