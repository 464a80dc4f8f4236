import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { logOrigin } from '../../checkpoints/log-origin.js'
import { auditOwnAccess } from '../../http/audit-own-access.js'
import { tenantFor } from '../../http/tenant-for.js'
import { PgLogReader } from '../../store/pg-log-reader.js'
import { ErrorResponse } from '../../schemas/error.js'
import { VerifyQuery, VerifyResponse } from '../../schemas/verification.js'
import { verifyStoredLog } from '../../verification/verify-stored-log.js'

export interface VerifyRoutesOptions {
  defaultTenant: string
  originPrefix: string
}

const verifyRoutes: FastifyPluginAsyncTypebox<VerifyRoutesOptions> = async (app, opts) => {
  const reader = new PgLogReader(app.db)

  app.get('/verify', {
    config: { scope: 'events:read' },
    schema: {
      operationId: 'verifyLog',
      summary: 'Recompute a tenant\'s log and check it against the signed checkpoints',
      description: 'Streams through the rows in constant memory: canonical bytes, the jsonb copy, every chain link and hash, the Merkle root at each checkpoint, and each checkpoint\'s signature. `first_error.kind` names what broke.',
      tags: ['verification'],
      querystring: VerifyQuery,
      response: { 200: VerifyResponse, 400: ErrorResponse }
    }
  }, async (request) => {
    const tenant = tenantFor(request, request.query.tenant, opts.defaultTenant)
    // A long log takes longer than the idle-socket timeout to recompute, and nothing is sent
    // until the answer is known: this connection may stay quiet as long as the work runs.
    if (typeof request.raw.socket?.setTimeout === 'function') request.raw.socket.setTimeout(0)
    const result = await verifyStoredLog(reader, {
      tenant,
      origin: logOrigin(opts.originPrefix, tenant),
      verifiers: [app.signingKey.verifier],
      ...(request.query.from_seq !== undefined && { fromSeq: request.query.from_seq }),
      ...(request.query.to_seq !== undefined && { toSeq: request.query.to_seq })
    })
    // Recorded after the run so the entry carries the outcome; it lands beyond the head checked.
    await auditOwnAccess(app, request, tenant, 'audit.verify', {
      from_seq: request.query.from_seq ?? 1, to_seq: request.query.to_seq ?? null, valid: result.valid, checked: result.checked, first_error: result.first_error
    })
    return result
  })
}

export default verifyRoutes
