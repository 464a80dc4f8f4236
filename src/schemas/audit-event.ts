import { Type, type Static } from 'typebox'
import { exampleAcceptedBatch, exampleEventId, exampleRequestId } from './examples.js'

const Name = (description: string, maxLength = 128) => Type.String({ minLength: 1, maxLength, description })
const TenantName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'Tenant name' })

export const Actor = Type.Object({
  type: Name('Kind of actor, e.g. user, service, api_key', 64),
  id: Name('Stable identifier of the actor', 256),
  name: Type.Optional(Type.String({ maxLength: 256 })),
  ip: Type.Optional(Type.String({ maxLength: 45, pattern: '^[0-9A-Fa-f:.]{2,45}$', description: 'IPv4 or IPv6 address' })),
  user_agent: Type.Optional(Type.String({ maxLength: 1024 }))
}, { additionalProperties: false })

export const Target = Type.Object({
  type: Name('Kind of resource', 64),
  id: Name('Identifier of the resource', 256),
  name: Type.Optional(Type.String({ maxLength: 256 }))
}, { additionalProperties: false })

export const Source = Type.Object({
  service: Name('Producing service', 128),
  version: Type.Optional(Type.String({ maxLength: 64 })),
  instance: Type.Optional(Type.String({ maxLength: 128 }))
}, { additionalProperties: false })

// Limits on the free-form part; checked after schema validation (see validate-event-content.ts).
// Member names are short (256): each redaction stores its JSON Pointer, so long names nested a
// few levels deep multiply into every pointer below them.
export const METADATA_LIMITS = { maxDepth: 8, maxKeys: 100, maxStringLength: 8192, maxNodes: 2000, maxKeyLength: 256 }

/**
 * Bounds on what the server adds to a record: the JSON Pointers of redacted values (their
 * number and their total length in characters). With member names bounded, a record is then
 * at most a small multiple of what was sent.
 */
export const REDACTION_LIMITS = { maxCount: 128, maxChars: 4096 }

/** The earliest `occurred_at` stored (see instantProblem). */
export const OCCURRED_AT_MIN = '1970-01-01T00:00:00Z'
const BEFORE_1970 = '^(?!(?:0[0-9]{3}|1[0-8][0-9]{2}|19[0-6][0-9])-)'

/** The reason a schema pattern stands for, said instead of the pattern itself. */
export const PATTERN_REASONS: Readonly<Record<string, string>> = { [BEFORE_1970]: `must be after ${OCCURRED_AT_MIN}` }

const eventProperties = {
  id: Type.Optional(Type.String({ format: 'uuid', description: 'Idempotency key chosen by the producer; a UUIDv7 is made when absent' })),
  occurred_at: Type.String({
    format: 'date-time',
    maxLength: 40,
    // The bound instantProblem enforces, in a form client generators and validating proxies
    // read (OpenAPI has no date-time minimum: formatMinimum is Ajv's own, which linters refuse).
    // The pattern refuses only years before 1970, so anything else malformed is still told it
    // is no date-time; the year is the one written, so the instant is checked after the schema.
    pattern: BEFORE_1970,
    description: `When it happened (RFC 3339, with a time zone): written in a year from 1970 to 9999, and an instant no earlier than ${OCCURRED_AT_MIN} ` +
      '(the Unix epoch); a UTC offset of at most ±15:59, no leap second (:60). Anything else is a 400.'
  }),
  action: Type.String({
    minLength: 1,
    maxLength: 128,
    pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$',
    description: 'Dotted action name, e.g. user.login'
  }),
  actor: Actor,
  target: Type.Optional(Target),
  outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('unknown')])),
  tenant: Type.Optional(TenantName),
  source: Type.Optional(Source),
  request_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  session_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  metadata: Type.Optional(Type.Object({}, {
    additionalProperties: true,
    maxProperties: METADATA_LIMITS.maxKeys,
    description: `Free-form JSON object: at most ${METADATA_LIMITS.maxKeys} keys per object, ` +
      `${METADATA_LIMITS.maxDepth} levels, member names of ${METADATA_LIMITS.maxKeyLength} characters, ` +
      `strings of ${METADATA_LIMITS.maxStringLength} characters, I-JSON numbers`
  }))
}

// The example carries an id, so "Execute" twice on /docs answers `duplicate: true` instead of
// storing the event twice; it is the id the read and proof examples ask for.
const eventExample = {
  id: exampleEventId,
  occurred_at: '2026-11-26T12:00:00Z',
  action: 'user.login',
  actor: { type: 'user', id: 'u_123', name: 'Ada', ip: '203.0.113.7' },
  target: { type: 'session', id: 's_456' },
  outcome: 'success',
  source: { service: 'auth', version: '1.4.0' },
  metadata: { method: 'password', mfa: true },
  // The request that caused it, so GET /audit-events's example filters find this event.
  request_id: exampleRequestId
}

export const AuditEventInput = Type.Object(eventProperties, {
  $id: 'AuditEventInput',
  additionalProperties: false,
  description: 'An audit event as a producer sends it',
  examples: [eventExample]
})
export type AuditEventInput = Static<typeof AuditEventInput>

export const BATCH_MAX_EVENTS = 1000

// Ids of their own, so the batch example repeats neither the single example nor itself.
const batchExample = [
  { ...eventExample, id: '01a21a5e-2300-7b1e-8f3a-6c0d2e4b9a01' },
  { id: '01a21a5e-2300-7b1e-8f3a-6c0d2e4b9a02', occurred_at: '2026-11-26T12:30:00Z', action: 'user.logout', actor: eventExample.actor, outcome: 'success', source: eventExample.source }
]

// A batch's items are the single event's schemas, by name: one type for clients to build and read.
export const AuditEventBatchInput = Type.Object({
  events: Type.Array(AuditEventInput, { minItems: 1, maxItems: BATCH_MAX_EVENTS })
}, { $id: 'AuditEventBatchInput', additionalProperties: false, examples: [{ events: batchExample }] })
export type AuditEventBatchInput = Static<typeof AuditEventBatchInput>

const receiptFields = {
  record_sha256: Type.Optional(Type.String({ description: 'Base64 SHA-256 of the RFC 8785 form of the record as enqueued: the stored record without `seq` (for a duplicate, the original record). Absent only for a duplicate first accepted before receipts existed.' })),
  receipt: Type.Optional(Type.String({ description: 'Signed receipt (v2): the lines `audit-service receipt v2\\n<origin>\\n<id>\\n<received_at>\\n<record_sha256>\\n<leaf index> <batch size>\\n`, the RFC 6962 inclusion path of those five lines\' leaf in the batch tree (one base64 hash a line), a blank line, then a C2SP signed note by the log key over the batch size and root: one signature for all the receipts of a batch (docs/hash-chain.md, Receipts). Keep it to prove later that the event was accepted.' }))
}

export const AcceptedEvent = Type.Object({
  id: Type.String({ format: 'uuid' }),
  received_at: Type.String({ format: 'date-time' }),
  status: Type.Literal('accepted'),
  duplicate: Type.Boolean({ description: 'True when this id was already accepted with the same content' }),
  ...receiptFields
}, {
  $id: 'AcceptedEvent',
  // The batch example's item is a real answer (a batch of one and a single event look alike).
  examples: [exampleAcceptedBatch.items[0]]
})

export const AcceptedBatch = Type.Object({
  accepted: Type.Integer({ description: 'Number of events in the batch' }),
  items: Type.Array(AcceptedEvent, { description: 'One answer per event, in the order sent' })
}, { $id: 'AcceptedBatch', examples: [exampleAcceptedBatch] })
