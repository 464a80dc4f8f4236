import { Type } from 'typebox'
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

export const StoredEvent = Type.Object({
  seq: Type.Integer(),
  id: Type.String({ format: 'uuid' }),
  hash: Type.String({ description: 'hex SHA-256 chain hash of this record' }),
  prev_hash: Type.String({ description: 'hex chain hash of the previous record' }),
  record: Type.Object({}, { additionalProperties: true, description: 'The stored record (see docs/hash-chain.md)' })
}, {
  $id: 'StoredEvent',
  examples: [exampleStoredEvent]
})

export const EventPage = Type.Object({
  items: Type.Array(StoredEvent),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null at the end' })
}, { $id: 'EventPage', examples: [exampleEventPage] })

export const EventIdParams = Type.Object({ id: Type.String({ format: 'uuid', examples: [exampleEventId] }) })
