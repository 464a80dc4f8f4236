import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { Job } from 'bullmq'
import type { FastifyRequest } from 'fastify'
import { NotFoundError } from '../../errors.js'
import { auditOwnAccess } from '../../ingest/audit-own-access.js'
import { describeJobEvent, type AppendJobData } from '../../queue/append-job.js'
import { DeadLetter, DeadLetterList, DeadLetterParams, DeadLetterQuery, DiscardDeadLetter, RetriedDeadLetters } from '../../schemas/dead-letter.js'
import { described, errorResponse } from '../../schemas/error.js'

const notFound = (id: string) => new NotFoundError(`no dead letter ${id}`)
const notFoundResponse = errorResponse('No such dead letter visible to this key (`AUDIT_ERR_NOT_FOUND`)', notFound('1234'))

/**
 * Dead letters are the queue's failed jobs. An admin key sees the jobs whose events all
 * belong to its tenant; the bootstrap admin sees all. Discarding is itself audited.
 */
const deadLetterRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const visible = (request: FastifyRequest, job: Job<AppendJobData> | undefined): job is Job<AppendJobData> => {
    if (job === undefined || job.failedReason === undefined) return false
    const tenant = request.principal?.tenant
    return tenant === null || job.data.events.every(e => describeJobEvent(e).tenant === tenant)
  }
  const toJson = (job: Job<AppendJobData>) => ({
    job_id: String(job.id),
    failed_reason: job.failedReason ?? '',
    attempts: job.attemptsMade,
    failed_at: job.finishedOn === undefined ? null : new Date(job.finishedOn).toISOString(),
    events: job.data.events.map(describeJobEvent)
  })
  // Every Redis step goes through the gate: 503 within HEALTH_TIMEOUT_MS while Redis is away.
  const redis = <T>(step: () => Promise<T>, outcome: string) => app.queueGate.run(step, outcome)
  const failedJob = async (request: FastifyRequest, id: string, outcome: string) => {
    const job = await redis(async () => {
      const found = await app.eventQueue.getJob(id) as Job<AppendJobData> | undefined
      return visible(request, found) && await found.isFailed() ? found : undefined
    }, outcome)
    if (job === undefined) throw notFound(id)
    return job
  }

  app.get('/dead-letters', {
    config: { scope: 'admin', redis: true },
    schema: { operationId: 'listDeadLetters', summary: 'List dead-lettered jobs with their reason', tags: ['dead letters'], querystring: DeadLetterQuery, response: { 200: described(DeadLetterList, 'The dead letters this key may see, oldest failure first') } }
  }, async (request) => {
    const jobs = await redis(() => app.eventQueue.getFailed(0, (request.query.limit ?? 100) - 1), 'dead letters not read') as Array<Job<AppendJobData>>
    return { items: jobs.filter(job => visible(request, job)).map(toJson) }
  })

  app.post('/dead-letters/:job_id/retry', {
    config: { scope: 'admin', redis: true },
    schema: { operationId: 'retryDeadLetter', summary: 'Put one dead-lettered job back in the queue', tags: ['dead letters'], params: DeadLetterParams, response: { 202: described(RetriedDeadLetters, 'The job is queued again'), 404: notFoundResponse } }
  }, async (request, reply) => {
    const outcome = 'dead letter not retried'
    const job = await failedJob(request, request.params.job_id, outcome)
    await redis(() => job.retry('failed'), outcome)
    return reply.code(202).send({ retried: 1 })
  })

  app.post('/dead-letters/retry', {
    config: { scope: 'admin', redis: true },
    schema: { operationId: 'retryAllDeadLetters', summary: 'Put every visible dead-lettered job back in the queue', tags: ['dead letters'], response: { 202: described(RetriedDeadLetters, 'How many jobs are queued again') } }
  }, async (request, reply) => {
    let retried = 0
    const outcome = () => retried === 0 ? 'no dead letter retried' : `${retried} dead letters retried, not the rest`
    for (const job of await redis(() => app.eventQueue.getFailed(0, -1), outcome()) as Array<Job<AppendJobData>>) {
      if (!visible(request, job)) continue
      await redis(() => job.retry('failed'), outcome())
      retried++
    }
    return reply.code(202).send({ retried })
  })

  app.post('/dead-letters/:job_id/discard', {
    config: { scope: 'admin', redis: true },
    schema: {
      operationId: 'discardDeadLetter',
      summary: 'Discard a dead-lettered job, with a reason recorded in the affected tenants\' chains',
      tags: ['dead letters'],
      params: DeadLetterParams,
      body: DiscardDeadLetter,
      response: { 200: described(DeadLetter, 'The discarded job, as it was'), 404: notFoundResponse }
    }
  }, async (request) => {
    const job = await failedJob(request, request.params.job_id, 'dead letter not discarded')
    const description = toJson(job)
    // Recorded before the job goes: if this cannot be queued, nothing is discarded.
    for (const tenant of new Set(description.events.map(e => e.tenant))) {
      await auditOwnAccess(app, request, tenant, 'audit.dead_letter.discard', {
        job_id: description.job_id,
        reason: request.body.reason,
        failed_reason: description.failed_reason,
        event_ids: description.events.filter(e => e.tenant === tenant).map(e => e.id)
      })
    }
    // Recorded, but still there: a retry records the discard again, then removes it.
    await redis(() => job.remove(), 'the discard is recorded but the dead letter is not removed')
    return description
  })
}

export default deadLetterRoutes
