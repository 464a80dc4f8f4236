import { Type, type Static } from 'typebox'
import { exampleEventId, exampleEventPage, exampleStoredEvent } from './examples.js'
import { TenantParam } from './tenant.js'

const Time = (description: string, example: string) => Type.Optional(Type.String({ format: 'date-time', description, examples: [example] }))

export const ListEventsQuery = Type.Object({
  'actor.id': Type.Optional(Type.String({ minLength: 1, maxLength: 256, examples: ['u_123'] })),
  'actor.type': Type.Optional(Type.String({ minLength: 1, maxLength: 64, examples: ['user'] })),
  action: Type.Optional(Type.String({
    minLength: 1,
    maxLength: 130,
    pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*(\\.\\*)?$',
    description: 'Exact action (`user.login`) or a prefix ending in `.*` (`user.*`)',
    examples: ['user.*']
  })),
  'target.type': Type.Optional(Type.String({ minLength: 1, maxLength: 64, examples: ['session'] })),
  'target.id': Type.Optional(Type.String({ minLength: 1, maxLength: 256, examples: ['s_456'] })),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('unknown')], { examples: ['failure'] })),
  request_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256, examples: ['0469e33f-682b-4781-abc0-0465f6aad31c'] })),
  occurred_from: Time('occurred_at >= this', '2026-11-26T00:00:00Z'),
  occurred_to: Time('occurred_at < this', '2026-11-27T00:00:00Z'),
  received_from: Time('received_at >= this', '2026-11-26T00:00:00Z'),
  received_to: Time('received_at < this', '2026-11-27T00:00:00Z'),
  seq_from: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'seq >= this', examples: [1] })),
  seq_to: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'seq <= this', examples: [1000] })),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'By seq; default asc', examples: ['desc'] })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Default 100', examples: [50] })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'next_cursor of the previous page (same filters)', examples: [exampleEventPage.next_cursor] })),
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
