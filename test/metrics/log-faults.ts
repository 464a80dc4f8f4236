import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import { canonicalJson } from '../../src/core/json/index.js'
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

/**
 * Rewrites a stored record's action as a database administrator could (the append-only
 * triggers bypassed): a worker started afterwards verifies from seq 1 and finds it.
 */
export async function rewriteRecord (databaseUrl: string, tenant: string, seq: number): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  try {
    const original = (await admin.query('SELECT canonical FROM audit_events WHERE tenant = $1 AND seq = $2', [tenant, seq])).rows[0].canonical as Buffer
    const forged = Buffer.from(canonicalJson({ ...JSON.parse(original.toString('utf8')), action: 'user.logout' }))
    await admin.query('BEGIN; SET LOCAL session_replication_role = replica')
    await admin.query('UPDATE audit_events SET canonical = $1, record = $2 WHERE tenant = $3 AND seq = $4', [forged, forged.toString(), tenant, seq])
    await admin.query('COMMIT')
  } finally {
    await admin.end()
  }
}
