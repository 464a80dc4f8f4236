import { Type } from 'typebox'

const deadLetterExample = { job_id: '1234', failed_reason: 'event id 0193… is already stored at seq 7 with different content', attempts: 1, failed_at: '2026-11-26T12:00:00.000Z', events: [{ id: '0193a1b2-0000-7000-8000-000000000001', tenant: 'acme', action: 'user.login' }] }

export const DeadLetter = Type.Object({
  job_id: Type.String(),
  failed_reason: Type.String(),
  attempts: Type.Integer(),
  failed_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  events: Type.Array(Type.Object({ id: Type.String(), tenant: Type.String(), action: Type.String() }))
}, {
  $id: 'DeadLetter',
  examples: [deadLetterExample]
})

export const DeadLetterList = Type.Object({ items: Type.Array(DeadLetter) }, { $id: 'DeadLetterList', examples: [{ items: [deadLetterExample] }] })
export const DeadLetterParams = Type.Object({ job_id: Type.String({ minLength: 1, maxLength: 256, examples: ['1234'] }) })
export const DiscardDeadLetter = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 512 }) }, { $id: 'DiscardDeadLetter', additionalProperties: false, examples: [{ reason: 'producer bug, re-sent under new ids' }] })
export const RetriedDeadLetters = Type.Object({ retried: Type.Integer() }, { $id: 'RetriedDeadLetters', examples: [{ retried: 3 }] })
export const DeadLetterQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Default 100', examples: [20] })) }, { additionalProperties: false })
