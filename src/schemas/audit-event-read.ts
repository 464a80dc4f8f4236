import { Type } from 'typebox'
import { TenantParam } from './tenant.js'

const Time = (description: string) => Type.Optional(Type.String({ format: 'date-time', description }))

export const ListEventsQuery = Type.Object({
  'actor.id': Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  'actor.type': Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  action: Type.Optional(Type.String({
    minLength: 1,
    maxLength: 130,
    pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*(\\.\\*)?$',
    description: 'Exact action (`user.login`) or a prefix ending in `.*` (`user.*`)'
  })),
  'target.type': Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  'target.id': Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('unknown')])),
  request_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  occurred_from: Time('occurred_at >= this'),
  occurred_to: Time('occurred_at < this'),
  received_from: Time('received_at >= this'),
  received_to: Time('received_at < this'),
  seq_from: Type.Optional(Type.Integer({ minimum: 1, description: 'seq >= this' })),
  seq_to: Type.Optional(Type.Integer({ minimum: 1, description: 'seq <= this' })),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'By seq; default asc' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Default 100' })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'next_cursor of the previous page (same filters)' })),
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
  examples: [{
    seq: 42,
    id: '0193a1b2-0000-7000-8000-000000000001',
    hash: '5f1c…',
    prev_hash: '9a0e…',
    record: { v: 1, id: '0193a1b2-0000-7000-8000-000000000001', tenant: 'acme', seq: 42, received_at: '2026-11-26T12:00:00.123Z', redactions: [], occurred_at: '2026-11-26T12:00:00Z', action: 'user.login', actor: { type: 'user', id: 'u_1' } }
  }]
})

export const EventPage = Type.Object({
  items: Type.Array(StoredEvent),
  next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null at the end' })
}, { $id: 'EventPage' })

export const EventIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) })
