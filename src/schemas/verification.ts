import { Type } from 'typebox'
import { exampleEventPage, exampleStoredEvent } from './examples.js'
import { TenantParam } from './tenant.js'

export const VerifyQuery = Type.Object({
  tenant: Type.Optional(TenantParam),
  from_seq: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Default: 1', examples: [1] })),
  to_seq: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'Default: the head of the chain', examples: [1000] }))
}, { additionalProperties: false })

export const VerifyResponse = Type.Object({
  valid: Type.Boolean(),
  checked: Type.Integer({ description: 'Records that passed every check' }),
  checkpoints_checked: Type.Integer({ description: 'Checkpoints whose signature and root were confirmed' }),
  head: Type.Union([Type.Object({ seq: Type.Integer(), hash: Type.String({ description: 'hex' }) }), Type.Null()]),
  first_error: Type.Union([Type.Object({
    seq: Type.Integer(),
    kind: Type.Union([Type.Literal('content'), Type.Literal('link'), Type.Literal('gap'), Type.Literal('order'), Type.Literal('root'), Type.Literal('signature'), Type.Literal('truncated')]),
    detail: Type.String()
  }), Type.Null()])
}, {
  $id: 'VerifyResponse',
  // The example log's (see examples.ts), `to_seq=2`: as stored, then with record 2's bytes edited.
  examples: [
    { valid: true, checked: 2, checkpoints_checked: 0, head: { seq: 2, hash: exampleStoredEvent.hash }, first_error: null },
    { valid: false, checked: 1, checkpoints_checked: 0, head: { seq: 1, hash: exampleEventPage.items[0]!.hash }, first_error: { seq: 2, kind: 'content', detail: 'hash is not SHA-256(prev_hash || canonical)' } }
  ]
})

export const ExportQuery = VerifyQuery
