import type { CheckResult } from './timed-check.js'

export interface HealthThresholds {
  maxWaiting: number
  maxQueueLagSeconds: number
  maxDeadLetters: number
  maxCheckpointAgeSeconds: number
}

export interface HealthFacts {
  postgres: CheckResult
  redis: CheckResult
  queue: { waiting: number, active: number, failed: number, lag_seconds: number } | null
  checkpoints: Array<{ tenant: string, checkpoint_age_seconds: number | null, unsigned_events: number, unsigned_for_seconds: number }> | null
}

/**
 * The health policy in one place. Unavailable (503) only when this instance cannot accept an
 * event: Redis down or the backlog over its bound. Everything else that needs a human is
 * "degraded" (200), so load balancers keep sending events that will not be lost.
 */
export function assessHealth (facts: HealthFacts, limits: HealthThresholds): { status: 'ok' | 'degraded' | 'unavailable', reasons: string[] } {
  const unavailable: string[] = []
  const degraded: string[] = []
  if (facts.redis.status === 'down') unavailable.push('redis unreachable: events cannot be queued')
  const { queue } = facts
  if (queue !== null) {
    if (queue.waiting >= limits.maxWaiting) unavailable.push(`queue backlog over ${limits.maxWaiting} jobs: ingest is refused until workers catch up`)
    if (queue.lag_seconds > limits.maxQueueLagSeconds) degraded.push(`queue lag ${Math.round(queue.lag_seconds)} s is over ${limits.maxQueueLagSeconds} s: workers are behind or down`)
    if (queue.failed > limits.maxDeadLetters) degraded.push(`${queue.failed} dead-lettered jobs (threshold ${limits.maxDeadLetters}): see GET /dead-letters`)
  }
  if (facts.postgres.status === 'down') degraded.push('postgres unreachable: events are queued but not stored until it is back')
  for (const c of facts.checkpoints ?? []) {
    if (c.unsigned_for_seconds > limits.maxCheckpointAgeSeconds) {
      degraded.push(`tenant ${c.tenant}: ${c.unsigned_events} events not covered by a signed checkpoint for ${Math.round(c.unsigned_for_seconds)} s (threshold ${limits.maxCheckpointAgeSeconds} s): is a worker signing?`)
    }
  }
  const status = unavailable.length > 0 ? 'unavailable' : degraded.length > 0 ? 'degraded' : 'ok'
  return { status, reasons: [...unavailable, ...degraded] }
}
