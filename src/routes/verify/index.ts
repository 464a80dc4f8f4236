import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { logOrigin } from '../../core/checkpoint/index.js'
import { auditOwnAccess } from '../../ingest/audit-own-access.js'
import { tenantFor } from '../../http/tenant-for.js'
import type { FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import type { ReadLimiter } from '../../limits/read-limiter.js'
import { described, wholeLogReadErrors } from '../../schemas/error.js'
import { VerifyQuery, VerifyResponse } from '../../schemas/verification.js'
import type { ReadThreadPool } from '../../verification/read-thread-pool.js'

export interface VerifyRoutesOptions {
  defaultTenant: string
  originPrefix: string
  readLimiter: ReadLimiter
  readThreads: ReadThreadPool
}

const verifyRoutes: FastifyPluginAsyncTypebox<VerifyRoutesOptions> = async (app, opts) => {
  app.get('/verify', {
    config: { scope: 'events:read', redis: true },
    schema: {
      operationId: 'verifyLog',
      summary: 'Recompute a tenant\'s log and check it against the signed checkpoints',
      description: 'Streams through the rows in constant memory (checkpoints read alongside them) in a worker thread with its own database connections, so the API stays responsive; one run per tenant at a time (`READ_VERIFY_PER_TENANT`), beyond that 429 `AUDIT_ERR_TOO_MANY_READS` with Retry-After. Checks the canonical bytes, the jsonb copy, every chain link and hash, the Merkle root at each checkpoint, and each checkpoint\'s signature. `first_error.kind` names what broke.',
      tags: ['verification'],
      querystring: VerifyQuery,
      response: { 200: described(VerifyResponse, 'The outcome: `valid`, how many records passed, and what broke first'), ...wholeLogReadErrors('verify') }
    }
  }, async (request) => {
    const tenant = tenantFor(request, request.query.tenant, opts.defaultTenant)
    // The run is recorded after it ends: without Redis it would be done for a 503.
    await app.queueGate.probe('audit.verify cannot be recorded, verification not started')
    const release = opts.readLimiter.acquire(tenant, 'verify')
    try {
      return await verify(request, tenant)
    } finally {
      release()
    }
  })

  const verify = async (request: FastifyRequest<{ Querystring: Static<typeof VerifyQuery> }>, tenant: string) => {
    // A long log takes longer than the idle-socket timeout to recompute, and nothing is sent
    // until the answer is known: this connection may stay quiet as long as the work runs.
    if (typeof request.raw.socket?.setTimeout === 'function') request.raw.socket.setTimeout(0)
    // In a read thread: the API's event loop only waits for the small result.
    const result = await opts.readThreads.verify({
      tenant,
      origin: logOrigin(opts.originPrefix, tenant),
      // The tenant's own keys, retired and legacy ones included: the whole history verifies.
      verifierKeys: (await app.logKeys.fresh()).verifierKeysFor(tenant),
      ...(request.query.from_seq !== undefined && { fromSeq: request.query.from_seq }),
      ...(request.query.to_seq !== undefined && { toSeq: request.query.to_seq })
    })
    // Recorded after the run so the entry carries the outcome; it lands beyond the head checked.
    await auditOwnAccess(app, request, tenant, 'audit.verify', {
      from_seq: request.query.from_seq ?? 1, to_seq: request.query.to_seq ?? null, valid: result.valid, checked: result.checked, first_error: result.first_error
    })
    return result
  }
}

export default verifyRoutes
