import { Type } from 'typebox'

const DependencyCheck = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  latency_ms: Type.Number(),
  error: Type.Optional(Type.String())
})

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unavailable')], {
    description: 'ok: all up. degraded: events are accepted but not stored yet (PostgreSQL down). unavailable: events cannot be accepted (Redis down or backlog full)'
  }),
  reasons: Type.Array(Type.String()),
  checks: Type.Object({ postgres: DependencyCheck, redis: DependencyCheck }),
  queue: Type.Union([Type.Object({
    waiting: Type.Integer(),
    active: Type.Integer(),
    failed: Type.Integer({ description: 'Dead-lettered jobs' })
  }), Type.Null()])
}, { $id: 'HealthResponse', examples: [{ status: 'ok', reasons: [], checks: { postgres: { status: 'up', latency_ms: 1.2 }, redis: { status: 'up', latency_ms: 0.4 } }, queue: { waiting: 0, active: 0, failed: 0 } }] })

export const LiveResponse = Type.Object({ status: Type.Literal('ok') }, { $id: 'LiveResponse' })
