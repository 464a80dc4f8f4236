import { Type } from 'typebox'

const DependencyCheck = Type.Object({
  status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
  latency_ms: Type.Number(),
  error: Type.Optional(Type.String({ description: 'What failed, in general terms (the driver\'s own message goes to the log)' }))
})

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unavailable')], {
    description: 'ok: all well. degraded: events are accepted, but something needs attention (PostgreSQL down, queue lag, dead letters, a stale checkpoint over its threshold, or the witness policy not met). unavailable: events cannot be accepted (Redis down or backlog full)'
  }),
  reasons: Type.Array(Type.String(), { description: 'Why the status is not ok, one sentence each' }),
  checks: Type.Object({ postgres: DependencyCheck, redis: DependencyCheck }),
  queue: Type.Union([Type.Object({
    waiting: Type.Integer(),
    active: Type.Integer(),
    failed: Type.Integer({ description: 'Dead-lettered jobs' }),
    lag_seconds: Type.Number({ description: 'Age of the oldest waiting job (0 when none waits)' })
  }), Type.Null()]),
  checkpoints: Type.Union([Type.Object({
    tenants_behind: Type.Integer({ description: 'Tenants with events not covered by a signed checkpoint yet' }),
    tenants_overdue: Type.Integer({ description: 'Of those, tenants whose oldest such event waited longer than HEALTH_MAX_CHECKPOINT_AGE_SECONDS' }),
    oldest_unsigned_seconds: Type.Union([Type.Number(), Type.Null()], { description: 'How long the oldest uncovered event of any tenant has waited; null when none waits' })
  }), Type.Null()], { description: 'Tenants waiting for a checkpoint, counted (never named: the names go to the log); null when PostgreSQL did not answer' }),
  witnesses: Type.Optional(Type.Union([Type.Object({
    policy: Type.String({ description: 'WITNESS_POLICY: how many of the witnesses must cosign, e.g. `2 of 3`' }),
    tenants_unwitnessed: Type.Integer({ description: 'Tenants whose log has had no checkpoint cosigned per the policy for longer than WITNESS_GRACE_SECONDS (status degraded)' }),
    oldest_unwitnessed_seconds: Type.Union([Type.Number(), Type.Null()], { description: 'How long the least recently witnessed tenant\'s log has waited for such a checkpoint; null when every tenant\'s latest checkpoint meets the policy' }),
    grace_seconds: Type.Integer({ description: 'WITNESS_GRACE_SECONDS' })
  }), Type.Null()], { description: 'Witness cosigning (only with WITNESSES): tenants counted, never named (the names go to the log); null when PostgreSQL did not answer' }))
}, {
  $id: 'HealthResponse',
  examples: [{
    status: 'ok',
    reasons: [],
    checks: { postgres: { status: 'up', latency_ms: 1.2 }, redis: { status: 'up', latency_ms: 0.4 } },
    queue: { waiting: 0, active: 0, failed: 0, lag_seconds: 0 },
    checkpoints: { tenants_behind: 0, tenants_overdue: 0, oldest_unsigned_seconds: null }
  }]
})

export const LiveResponse = Type.Object({ status: Type.Literal('ok') }, { $id: 'LiveResponse', examples: [{ status: 'ok' }] })
