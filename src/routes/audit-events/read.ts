import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { NotFoundError, RequestValidationError } from '../../errors.js'
import { instantProblem } from '../../http/instant-problem.js'
import { decodeCursor, encodeCursor, queryFingerprint } from '../../http/page-cursor.js'
import { tenantFor } from '../../http/tenant-for.js'
import { EventIdParams, EventPage, ListEventsQuery, StoredEvent, type StoredRecord } from '../../schemas/audit-event-read.js'
import { described, errorResponse } from '../../schemas/error.js'
import { TenantQuery } from '../../schemas/tenant.js'
import { PgEventReader, type StoredEventRow } from '../../store/pg-event-reader.js'

const toJson = (row: StoredEventRow) => ({
  seq: row.seq,
  id: row.id,
  hash: row.hash.toString('hex'),
  prev_hash: row.prev_hash.toString('hex'),
  // The jsonb copy of the hashed record, whose shape the ingest schema fixed.
  record: row.record as StoredRecord
})
// The schema checks the form; these the instant (as for ingest's occurred_at).
const TIME_FILTERS = ['occurred_from', 'occurred_to', 'received_from', 'received_to'] as const

const readRoutes: FastifyPluginAsyncTypebox<{ defaultTenant: string }> = async (app, opts) => {
  const reader = new PgEventReader(app.db)
  // Records are sent as stored, never through their schema: a schema-built serializer drops
  // members it does not name, coerces types and fails on a missing member, and a record
  // written under other rules (SCRUB_EXTRA_KEYS naming `actor`, say, makes it a string) must
  // still read back byte for byte what was hashed. The schema documents; it does not rewrite.
  app.setSerializerCompiler(() => data => JSON.stringify(data))

  app.get('/audit-events', {
    config: { scope: 'events:read' },
    schema: {
      operationId: 'listAuditEvents',
      summary: 'Search a tenant\'s events, page by page',
      description: 'Filters combine with AND. Pages are cut on `seq` (keyset pagination): reading while events arrive never skips or repeats one. Pass `next_cursor` as `cursor` with the same filters for the next page.',
      tags: ['events'],
      querystring: ListEventsQuery,
      response: { 200: described(EventPage, 'A page of events, oldest first unless `order=desc`; `next_cursor` is null on the last page') }
    }
  }, async (request) => {
    const q = request.query
    const timeErrors = TIME_FILTERS.flatMap(name => {
      const value = q[name]
      const reason = value === undefined ? undefined : instantProblem(value)
      return reason === undefined ? [] : [{ field: `/${name}`, in: 'querystring' as const, reason }]
    })
    if (timeErrors.length > 0) throw new RequestValidationError(timeErrors)
    const tenant = tenantFor(request, q.tenant, opts.defaultTenant)
    const order = q.order ?? 'asc'
    const limit = q.limit ?? 100
    const fingerprint = queryFingerprint({ ...q, tenant })
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, { order, query: fingerprint })
    const prefix = q.action?.endsWith('.*') === true
    const rows = await reader.list(tenant, {
      actorId: q['actor.id'],
      actorType: q['actor.type'],
      action: prefix ? q.action!.slice(0, -1) : q.action,
      actionPrefix: prefix,
      targetType: q['target.type'],
      targetId: q['target.id'],
      outcome: q.outcome,
      requestId: q.request_id,
      occurredFrom: q.occurred_from,
      occurredTo: q.occurred_to,
      receivedFrom: q.received_from,
      receivedTo: q.received_to,
      seqFrom: q.seq_from,
      seqTo: q.seq_to
    }, { order, limit: limit + 1, ...(after !== undefined && { after }) })
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return {
      items: page.map(toJson),
      next_cursor: rows.length > limit && last !== undefined ? encodeCursor({ seq: last.seq, order, query: fingerprint }) : null
    }
  })

  app.get('/audit-events/:id', {
    config: { scope: 'events:read' },
    schema: {
      operationId: 'getAuditEvent',
      summary: 'One stored event with its position and hashes',
      description: 'An event of another tenant is a 404, like one that does not exist.',
      tags: ['events'],
      params: EventIdParams,
      querystring: TenantQuery,
      response: {
        200: described(StoredEvent, 'The event as stored: its position, hashes and record'),
        404: errorResponse('No such event stored (yet) for this tenant (`AUDIT_ERR_NOT_FOUND`)', new NotFoundError('no event 01a21a5e-22d2-76e0-9bd0-d3b4ab317058 (not stored yet, or not yours)'))
      }
    }
  }, async (request) => {
    const tenant = tenantFor(request, request.query.tenant, opts.defaultTenant)
    const row = await reader.byId(tenant, request.params.id)
    if (row === undefined) throw new NotFoundError(`no event ${request.params.id} (not stored yet, or not yours)`)
    return toJson(row)
  })
}

export default readRoutes
