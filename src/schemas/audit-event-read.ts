import { Type, type Static } from 'typebox'
import { encodeCursor, queryFingerprint } from '../http/page-cursor.js'
import { exampleEventId, exampleEventPage, exampleRequestId, exampleStoredEvent } from './examples.js'
import { TenantParam } from './tenant.js'

/**
 * One query, filter by filter: "Try it out" on /docs fills every parameter with its example, so
 * together they must make a query the service accepts, one that finds the example event of
 * POST /audit-events, and a cursor of that very query (a cursor is bound to its filters).
 */
const listExample = {
  'actor.id': 'u_123',
  'actor.type': 'user',
  action: 'user.*',
  'target.type': 'session',
  'target.id': 's_456',
  outcome: 'success',
  request_id: exampleRequestId,
  occurred_from: '2026-11-26T00:00:00Z',
  occurred_to: '2026-11-27T00:00:00Z',
  received_from: '2026-01-01T00:00:00Z',
  received_to: '2036-01-01T00:00:00Z',
  seq_from: 1,
  seq_to: 1000,
  order: 'desc',
  tenant: 'default' // TenantParam's example
} as const
// Newest first from seq 1000 down: the page a first request of the same filters would give.
const listExampleCursor = encodeCursor({ seq: 1001, order: listExample.order, query: queryFingerprint(listExample) })

const Time = (description: string, example: string) => Type.Optional(Type.String({ format: 'date-time', description, examples: [example] }))

export const ListEventsQuery = Type.Object({
  'actor.id': Type.Optional(Type.String({ minLength: 1, maxLength: 256, examples: [listExample['actor.id']] })),
  'actor.type': Type.Optional(Type.String({ minLength: 1, maxLength: 64, examples: [listExample['actor.type']] })),
  action: Type.Optional(Type.String({
    minLength: 1,
    maxLength: 130,
    pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*(\\.\\*)?$',
    description: 'Exact action (`user.login`) or a prefix ending in `.*` (`user.*`)',
    examples: [listExample.action]
  })),
  'target.type': Type.Optional(Type.String({ minLength: 1, maxLength: 64, examples: [listExample['target.type']] })),
  'target.id': Type.Optional(Type.String({ minLength: 1, maxLength: 256, examples: [listExample['target.id']] })),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('unknown')], { examples: [listExample.outcome] })),
  request_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256, examples: [listExample.request_id] })),
  occurred_from: Time('occurred_at >= this', listExample.occurred_from),
  occurred_to: Time('occurred_at < this', listExample.occurred_to),
  received_from: Time('received_at >= this', listExample.received_from),
  received_to: Time('received_at < this', listExample.received_to),
  seq_from: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'seq >= this', examples: [listExample.seq_from] })),
  seq_to: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'seq <= this', examples: [listExample.seq_to] })),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'By seq; default asc', examples: [listExample.order] })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Default 100', examples: [50] })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'next_cursor of the previous page (same filters and order)', examples: [listExampleCursor] })),
  tenant: Type.Optional(TenantParam)
}, { additionalProperties: false })

// Every member written since the first record version (events have been closed objects since
// then). Types only, no input bounds: a value the scrubber replaced is the string "[REDACTED]"
// whatever the input's pattern. The read routes send records as stored, not through this.
const closed = { additionalProperties: false } as const
const Text = (description?: string) => Type.String(description === undefined ? {} : { description })

export const StoredRecord = Type.Object({
  v: Type.Integer({ minimum: 1, description: 'Format version of the record: 1' }),
  id: Type.String({ description: 'Event id (UUID, lowercase)' }),
  seq: Type.Integer({ minimum: 1, description: 'Position in the tenant\'s log, from 1' }),
  tenant: Text('The tenant whose log this is'),
  occurred_at: Text('When it happened, as the producer sent it (RFC 3339)'),
  received_at: Text('When the API accepted it (RFC 3339, UTC)'),
  action: Text('Dotted action name'),
  actor: Type.Object({ type: Text(), id: Text(), name: Type.Optional(Text()), ip: Type.Optional(Text()), user_agent: Type.Optional(Text()) }, closed),
  target: Type.Optional(Type.Object({ type: Text(), id: Text(), name: Type.Optional(Text()) }, closed)),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('unknown')])),
  source: Type.Optional(Type.Object({ service: Text(), version: Type.Optional(Text()), instance: Type.Optional(Text()) }, closed)),
  request_id: Text('The producer\'s, or the request\'s x-request-id when it gave none'),
  session_id: Type.Optional(Text()),
  metadata: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'Free-form JSON object, as sent (scrubbed)' })),
  redactions: Type.Array(Type.String(), { description: 'RFC 6901 JSON Pointers of the values the scrubber replaced with "[REDACTED]"' })
}, {
  ...closed,
  $id: 'StoredRecord',
  description: 'A stored record: the event as accepted (after secret scrubbing) and the server\'s fields (docs/hash-chain.md, The record)',
  examples: [exampleStoredEvent.record]
})
export type StoredRecord = Static<typeof StoredRecord>

export const StoredEvent = Type.Object({
  seq: Type.Integer(),
  id: Type.String({ format: 'uuid' }),
  hash: Type.String({ description: 'hex SHA-256 chain hash of this record' }),
  prev_hash: Type.String({ description: 'hex chain hash of the previous record' }),
  record: StoredRecord
}, {
  $id: 'StoredEvent',
  examples: [exampleStoredEvent]
})

export const EventPage = Type.Object({
  items: Type.Array(StoredEvent),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null at the end' })
}, { $id: 'EventPage', examples: [exampleEventPage] })

export const EventIdParams = Type.Object({ id: Type.String({ format: 'uuid', examples: [exampleEventId] }) })
