import { Type } from 'typebox'

const DependencyCheck = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  latency_ms: Type.Number(),
  error: Type.Optional(Type.String())
})

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unavailable')], {
    description: 'ok: all well. degraded: events are accepted, but something needs attention (PostgreSQL down, queue lag, dead letters or a stale checkpoint over its threshold). unavailable: events cannot be accepted (Redis down or backlog full)'
  }),
  reasons: Type.Array(Type.String(), { description: 'Why the status is not ok, one sentence each' }),
  checks: Type.Object({ postgres: DependencyCheck, redis: DependencyCheck }),
  queue: Type.Union([Type.Object({
    waiting: Type.Integer(),
    active: Type.Integer(),
    failed: Type.Integer({ description: 'Dead-lettered jobs' }),
    lag_seconds: Type.Number({ description: 'Age of the oldest waiting job (0 when none waits)' })
  }), Type.Null()]),
  checkpoints: Type.Union([Type.Array(Type.Object({
    tenant: Type.String(),
    checkpoint_age_seconds: Type.Union([Type.Number(), Type.Null()], { description: 'Age of the latest checkpoint; null when none was signed yet' }),
    unsigned_events: Type.Integer({ description: 'Events appended since that checkpoint' }),
    unsigned_for_seconds: Type.Number({ description: 'How long the oldest of them has waited for a checkpoint' })
  })), Type.Null()], { description: 'Tenants whose latest events are not covered by a checkpoint yet, oldest first (at most 20)' })
}, {
  $id: 'HealthResponse',
  examples: [{
    status: 'ok',
    reasons: [],
    checks: { postgres: { status: 'up', latency_ms: 1.2 }, redis: { status: 'up', latency_ms: 0.4 } },
    queue: { waiting: 0, active: 0, failed: 0, lag_seconds: 0 },
    checkpoints: []
  }]
})

export const LiveResponse = Type.Object({ status: Type.Literal('ok') }, { $id: 'LiveResponse', examples: [{ status: 'ok' }] })
