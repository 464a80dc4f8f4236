import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { logOrigin } from '../../core/checkpoint/index.js'
import { auditOwnAccess } from '../../ingest/audit-own-access.js'
import { tenantFor } from '../../http/tenant-for.js'
import { CONTENT_DISPOSITION_HEADER } from '../../http/standard-responses.js'
import { wholeLogReadErrors } from '../../schemas/error.js'
import { exampleExport } from '../../schemas/examples.js'
import { ExportQuery } from '../../schemas/verification.js'
import type { ReadLimiter } from '../../limits/read-limiter.js'
import type { ReadThreadPool } from '../../verification/read-thread-pool.js'

export interface ExportRoutesOptions {
  defaultTenant: string
  originPrefix: string
  readLimiter: ReadLimiter
  readThreads: ReadThreadPool
}

const exportRoutes: FastifyPluginAsyncTypebox<ExportRoutesOptions> = async (app, opts) => {
  app.get('/audit-events/export', {
    config: { scope: 'events:read', redis: true },
    schema: {
      operationId: 'exportAuditLog',
      summary: 'Export a tenant\'s log as NDJSON for offline verification',
      description: 'Lines: a header, one `record` line per event (`seq`, `canonical` (the exact hashed RFC 8785 text), `prev_hash`, `hash`), each stored signed checkpoint right after the record at its size, and an `end` trailer. Check it with `npx audit-service verify export.ndjson --key <verifier key>`. Format: docs/hash-chain.md. Made in a worker thread with its own database connections; two exports per tenant at a time (`READ_EXPORT_PER_TENANT`), beyond that 429 `AUDIT_ERR_TOO_MANY_READS` with Retry-After.',
      tags: ['verification'],
      querystring: ExportQuery,
      response: {
        200: {
          description: 'The log as NDJSON, streamed: header, records and checkpoints, `end` trailer (a stream cut short has no trailer)',
          content: { 'application/x-ndjson': { schema: Type.String({ examples: [exampleExport] }) } },
          headers: CONTENT_DISPOSITION_HEADER(true, 'the export (`audit-<tenant>.ndjson`)')
        },
        ...wholeLogReadErrors('export')
      }
    }
  }, async (request, reply) => {
    const tenant = tenantFor(request, request.query.tenant, opts.defaultTenant)
    const release = opts.readLimiter.acquire(tenant, 'export')
    // The slot is held while the stream runs: given back when it ends or the socket closes.
    reply.raw.once('close', release)
    try {
      await auditOwnAccess(app, request, tenant, 'audit.export', { from_seq: request.query.from_seq ?? 1, to_seq: request.query.to_seq ?? null })
    } catch (err) {
      release()
      throw err
    }
    // Made in a read thread; this thread only passes its bytes to the socket.
    const bytes = opts.readThreads.export({
      tenant,
      origin: logOrigin(opts.originPrefix, tenant),
      // The tenant's own keys, retired and legacy ones included: the whole history verifies.
      verifierKeys: (await app.logKeys.fresh()).verifierKeysFor(tenant),
      ...(request.query.from_seq !== undefined && { fromSeq: request.query.from_seq }),
      ...(request.query.to_seq !== undefined && { toSeq: request.query.to_seq })
    })
    bytes.once('close', release)
    return reply
      .type('application/x-ndjson')
      .header('content-disposition', `attachment; filename="audit-${tenant}.ndjson"`)
      .send(bytes as never)
  })
}

export default exportRoutes
