import type { CheckResult } from './timed-check.js'

export interface HealthThresholds {
  maxWaiting: number
  maxQueueLagSeconds: number
  maxDeadLetters: number
  maxCheckpointAgeSeconds: number
}

/** Tenants whose latest events wait for a signed checkpoint, counted, never named. */
export interface CheckpointSummary {
  /** Tenants with events not covered by a checkpoint yet. */
  tenants_behind: number
  /** Of those, tenants whose oldest such event waited longer than the threshold. */
  tenants_overdue: number
  /** How long the oldest uncovered event of any tenant has waited; null when none waits. */
  oldest_unsigned_seconds: number | null
}

/** Tenants whose log goes unwitnessed (WITNESS_POLICY not met), counted, never named. */
export interface WitnessSummary {
  /** The policy, e.g. `2 of 3`. */
  policy: string
  /** Tenants without a checkpoint cosigned per the policy for longer than WITNESS_GRACE_SECONDS. */
  tenants_unwitnessed: number
  /** How long the least recently witnessed tenant's log has waited for one; null when none waits. */
  oldest_unwitnessed_seconds: number | null
  grace_seconds: number
}

export interface HealthFacts {
  postgres: CheckResult
  redis: CheckResult
  queue: { waiting: number, active: number, failed: number, lag_seconds: number } | null
  checkpoints: CheckpointSummary | null
  /** Absent without witnesses; null when PostgreSQL did not answer. */
  witnesses?: WitnessSummary | null
  /** Absent unless REDIS_WAIT_REPLICAS is set: the queue's master's replicas online, and how many are asked for. */
  replicas?: { online: number, wanted: number } | null
}

/**
 * The health policy in one place. Unavailable (503) only when this instance cannot accept an
 * event: Redis down or the backlog over its bound. Everything else that needs a human is
 * "degraded" (200), so load balancers keep sending events that will not be lost.
 *
 * Reasons are read by anyone who can reach /health: they say what is wrong in general terms,
 * never a tenant's name or a driver's error text (those go to the log).
 */
export function assessHealth (facts: HealthFacts, limits: HealthThresholds): { status: 'ok' | 'degraded' | 'unavailable', reasons: string[] } {
  const unavailable: string[] = []
  const degraded: string[] = []
  if (facts.redis.status === 'down') unavailable.push('redis unreachable: events cannot be queued')
  // Every enqueue WAITs for that many replicas: with fewer, every event is refused (503), as
  // after a failover until the old master is back as a replica of the promoted one.
  const replicas = facts.replicas
  if (replicas != null && replicas.online < replicas.wanted) {
    unavailable.push(`the queue's Redis master has ${replicas.online} of the ${replicas.wanted} replicas REDIS_WAIT_REPLICAS asks for: events cannot be accepted`)
  }
  const { queue } = facts
  if (queue !== null) {
    if (queue.waiting >= limits.maxWaiting) unavailable.push(`queue backlog over ${limits.maxWaiting} jobs: ingest is refused until workers catch up`)
    if (queue.lag_seconds > limits.maxQueueLagSeconds) degraded.push(`queue lag ${Math.round(queue.lag_seconds)} s is over ${limits.maxQueueLagSeconds} s: workers are behind or down`)
    if (queue.failed > limits.maxDeadLetters) degraded.push(`${queue.failed} dead-lettered jobs (threshold ${limits.maxDeadLetters}): see GET /dead-letters`)
  }
  if (facts.postgres.status === 'down') degraded.push('postgres unreachable: events are queued but not stored until it is back')
  const overdue = facts.checkpoints?.tenants_overdue ?? 0
  if (overdue > 0) {
    const oldest = Math.round(facts.checkpoints?.oldest_unsigned_seconds ?? 0)
    degraded.push(`checkpoint overdue for ${overdue} tenant${overdue === 1 ? '' : 's'}: events wait up to ${oldest} s for a signed checkpoint (threshold ${limits.maxCheckpointAgeSeconds} s): is a worker signing?`)
  }
  // Degraded, never unavailable: the events are stored and signed; what waits is a third
  // party's cosignature, which no other instance of this service could get sooner.
  const unwitnessed = facts.witnesses?.tenants_unwitnessed ?? 0
  if (unwitnessed > 0) {
    const w = facts.witnesses!
    degraded.push(`witness policy (${w.policy}) not met for ${unwitnessed} tenant${unwitnessed === 1 ? '' : 's'}: checkpoints wait up to ${Math.round(w.oldest_unwitnessed_seconds ?? 0)} s for cosignatures (grace ${w.grace_seconds} s): is a witness down or refusing? (worker log, audit_witness_requests_total)`)
  }
  const status = unavailable.length > 0 ? 'unavailable' : degraded.length > 0 ? 'degraded' : 'ok'
  return { status, reasons: [...unavailable, ...degraded] }
}
