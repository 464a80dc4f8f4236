import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { BacklogFullError, ForbiddenError, IdConflictError, IdInProgressError, RecordTooLargeError, RequestValidationError, type FieldError } from '../../errors.js'
import { tenantFor } from '../../http/tenant-for.js'
import { compileScrubber } from '../../ingest/scrub-secrets.js'
import { eventContentErrors } from '../../ingest/event-content-errors.js'
import { prepareEvent } from '../../ingest/prepare-event.js'
import { ReceiptBatcher } from '../../proofs/receipt-batcher.js'
import { acceptedJson, asciiBody, ReceiptSigner } from '../../proofs/receipt-signer.js'
import { AcceptedBatch, AcceptedEvent, AuditEventBatchInput, AuditEventInput, type AuditEventInput as EventInput } from '../../schemas/audit-event.js'
import { described, errorResponse } from '../../schemas/error.js'

export interface AuditEventRoutesOptions {
  defaultTenant: string
  scrubExtraKeys: string[]
  scrubExtraPatterns?: RegExp[]
  batchBodyLimit: number
  /** Receipts name the tenant's log as its checkpoints do: `<originPrefix>/<tenant>`. */
  originPrefix: string
  /** RECORD_MAX_BYTES: the largest canonical record accepted (413 beyond). */
  recordMaxBytes: number
}

// The errors of ingest beyond the standard ones (standard-responses.ts), with real answers.
const exampleId = '01a21a5e-22d2-76e0-9bd0-d3b4ab317058'
const ingestErrors = {
  409: {
    ...errorResponse('The id was accepted with other content (`AUDIT_ERR_ID_CONFLICT`: do not retry), or an earlier request with it is still being accepted (`AUDIT_ERR_ID_IN_PROGRESS`: retry after `Retry-After`)',
      new IdConflictError([{ index: 0, id: exampleId }]), new IdInProgressError([{ index: 0, id: exampleId }])),
    headers: { 'retry-after': { type: 'integer' as const, description: 'Seconds to wait before retrying (with `AUDIT_ERR_ID_IN_PROGRESS` only)', required: false } }
  },
  413: errorResponse('The body is over its limit (`FST_ERR_CTP_BODY_TOO_LARGE`), or a record would be too large (`AUDIT_ERR_RECORD_TOO_LARGE`: `errors` names each event and the bound)',
    new RecordTooLargeError([{ field: '', in: 'body', reason: 'the record would be 70000 bytes in canonical form, over the limit of 65535 (RECORD_MAX_BYTES)' }])),
  503: errorResponse('The event was not accepted: Redis cannot be reached (`AUDIT_ERR_QUEUE_UNAVAILABLE`) or the backlog is over `QUEUE_MAX_WAITING` (`AUDIT_ERR_BACKLOG_FULL`); retry with the same ids',
    new BacklogFullError(100001, 100000))
}

const auditEventRoutes: FastifyPluginAsyncTypebox<AuditEventRoutesOptions> = async (app, opts) => {
  // The content checks refuse member names that match a built-in pattern with every error of
  // the request; one that only an operator's pattern matches is refused by prepareEvent, as a 400 too.
  const scrub = compileScrubber({ extraKeys: opts.scrubExtraKeys, extraPatterns: opts.scrubExtraPatterns })
  // One signature per batch request, and one per group of single-event requests answered in
  // the same event-loop turn (receipt v2, docs/hash-chain.md "Receipts").
  const receipts = new ReceiptSigner({ signersFor: tenant => app.logKeys.keys.signersFor(tenant) }, opts.originPrefix)
  const singleReceipts = new ReceiptBatcher(receipts)

  // The tenant comes from the key; a body naming another tenant is refused (403).
  const tenantsOf = (request: FastifyRequest, events: EventInput[]) => events.map((event, i) => {
    try {
      return tenantFor(request, event.tenant, opts.defaultTenant)
    } catch (err) {
      throw events.length > 1 ? new ForbiddenError(`/events/${i}/tenant: ${(err as Error).message}`) : err
    }
  })

  app.post('/audit-events', {
    config: { scope: 'events:write', redis: true },
    schema: {
      operationId: 'createAuditEvent',
      summary: 'Record one audit event',
      description: 'Validates, scrubs secrets and enqueues the event. 202 means the event is durably queued; it is linked into the tenant\'s hash chain within about a second. Repeating a request with the same `id` and content is safe (`duplicate: true`). 409 `AUDIT_ERR_ID_CONFLICT`: the id was accepted with other content. 409 `AUDIT_ERR_ID_IN_PROGRESS`: an earlier request with this id is still being enqueued; retry after `Retry-After`. 413 `AUDIT_ERR_RECORD_TOO_LARGE`: the stored record would be too large (more than 128 redacted values, their JSON Pointers over 4,096 characters, or over `RECORD_MAX_BYTES`).',
      tags: ['events'],
      body: AuditEventInput,
      response: { 202: described(AcceptedEvent, 'The event is durably queued (or was already: `duplicate: true`), with its signed receipt'), ...ingestErrors }
    }
  }, async (request, reply) => {
    const errors = eventContentErrors(request.body)
    if (errors.length > 0) throw new RequestValidationError(errors)
    const [tenant] = tenantsOf(request, [request.body])
    const item = prepareEvent(request.body, { tenant: tenant!, requestId: request.id, receivedAt: new Date().toISOString(), scrub, recordMaxBytes: opts.recordMaxBytes })
    const [result] = await app.producer.submit([item])
    app.metrics.recordIngest([result!])
    const { record_sha256: sha } = result!
    const receipt = sha === undefined ? undefined : await singleReceipts.sign({ ...result!, record_sha256: sha })
    return reply.code(202).type('application/json; charset=utf-8').send(asciiBody(acceptedJson(result!, receipt)) as never)
  })

  app.post('/audit-events/batch', {
    bodyLimit: opts.batchBodyLimit,
    config: { scope: 'events:write', redis: true },
    schema: {
      operationId: 'createAuditEventBatch',
      summary: 'Record up to 1,000 audit events at once',
      description: 'All or nothing: if any event is invalid, none is accepted and each error names its index (`/events/<i>/...`). Ids are handled as for a single event, and a 409 names the indexes concerned. A 413 `AUDIT_ERR_RECORD_TOO_LARGE` names each event whose record would be too large.',
      tags: ['events'],
      body: AuditEventBatchInput,
      response: { 202: described(AcceptedBatch, 'Every event is durably queued (or was already), each with its signed receipt'), ...ingestErrors }
    }
  }, async (request, reply) => {
    const events = request.body.events
    const errors = events.flatMap((event, i) => eventContentErrors(event, `/events/${i}`))
    if (errors.length > 0) throw new RequestValidationError(errors)
    const receivedAt = new Date().toISOString()
    const tenants = tenantsOf(request, events)
    // Every event's record is checked, so one 413 names each event that is too large.
    const tooLarge: FieldError[] = []
    const items = []
    for (let i = 0; i < events.length; i++) {
      try {
        items.push(prepareEvent(events[i]!, { tenant: tenants[i]!, requestId: request.id, receivedAt, scrub, recordMaxBytes: opts.recordMaxBytes, pointer: `/events/${i}` }))
      } catch (err) {
        if (!(err instanceof RecordTooLargeError)) throw err
        tooLarge.push(...err.errors)
      }
    }
    if (tooLarge.length > 0) throw new RecordTooLargeError(tooLarge)
    const results = await app.producer.submit(items)
    app.metrics.recordIngest(results)
    // Already JSON (the AcceptedBatch schema's form): Fastify sends bytes as they are.
    return reply.code(202).type('application/json; charset=utf-8').send(asciiBody(receipts.acceptedBatchJson(results)) as never)
  })
}

export default auditEventRoutes
