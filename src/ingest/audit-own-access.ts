import type { FastifyInstance, FastifyRequest } from 'fastify'
import { QueueUnavailableError } from '../errors.js'
import { compileScrubber } from './scrub-secrets.js'
import { prepareEvent } from './prepare-event.js'

const scrub = compileScrubber()

/**
 * Appends an event of the service itself to the tenant's chain: who exported or verified
 * the log, and what they asked for, or who created or revoked one of its keys. If it cannot
 * be queued the read (or the key change) is refused (503), so none goes unrecorded. Redis is
 * asked first (QueueGate): while it is away that answer comes within HEALTH_TIMEOUT_MS, not
 * after the enqueue's own longer bound.
 */
export async function auditOwnAccess (app: FastifyInstance, request: FastifyRequest, tenant: string, action: string, metadata: Record<string, unknown>, target: { type: string, id: string } = { type: 'audit_log', id: tenant }): Promise<void> {
  const outcome = `${action} cannot be recorded, request refused`
  await app.queueGate.probe(outcome)
  const principal = request.principal
  const event = {
    occurred_at: new Date().toISOString(),
    action,
    actor: { type: 'api_key', id: principal?.keyId ?? 'anonymous', name: principal?.name ?? 'anonymous', ...(request.ip !== undefined && { ip: request.ip }) },
    target,
    outcome: 'success' as const,
    source: { service: 'audit-service' },
    metadata
  }
  await app.producer.submit([prepareEvent(event, { tenant, requestId: request.id, receivedAt: new Date().toISOString(), scrub })]).catch((err: unknown) => {
    throw err instanceof QueueUnavailableError ? new QueueUnavailableError(err.reason, outcome) : err
  })
  app.metrics.recordOwnEvent()
}
