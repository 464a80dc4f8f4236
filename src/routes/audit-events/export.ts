import { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { logOrigin } from '../../checkpoints/log-origin.js'
import { auditOwnAccess } from '../../http/audit-own-access.js'
import { tenantFor } from '../../http/tenant-for.js'
import { ErrorResponse } from '../../schemas/error.js'
import { exampleExport } from '../../schemas/examples.js'
import { ExportQuery } from '../../schemas/verification.js'
import { PgLogReader } from '../../store/pg-log-reader.js'
import { exportLines } from '../../verification/export-lines.js'

export interface ExportRoutesOptions {
  defaultTenant: string
  originPrefix: string
}

const exportRoutes: FastifyPluginAsyncTypebox<ExportRoutesOptions> = async (app, opts) => {
  const reader = new PgLogReader(app.db)

  app.get('/audit-events/export', {
    config: { scope: 'events:read' },
    schema: {
      operationId: 'exportAuditLog',
      summary: 'Export a tenant\'s log as NDJSON for offline verification',
      description: 'Lines: a header, one `record` line per event (`seq`, `canonical` (the exact hashed RFC 8785 text), `prev_hash`, `hash`), each stored signed checkpoint right after the record at its size, and an `end` trailer. Check it with `npx audit-service verify export.ndjson --key <verifier key>`. Format: docs/hash-chain.md.',
      tags: ['verification'],
      querystring: ExportQuery,
      response: {
        200: { description: 'NDJSON stream', content: { 'application/x-ndjson': { schema: Type.String({ examples: [exampleExport] }) } } },
        400: ErrorResponse
      }
    }
  }, async (request, reply) => {
    const tenant = tenantFor(request, request.query.tenant, opts.defaultTenant)
    await auditOwnAccess(app, request, tenant, 'audit.export', { from_seq: request.query.from_seq ?? 1, to_seq: request.query.to_seq ?? null })
    const lines = exportLines(reader, {
      tenant,
      origin: logOrigin(opts.originPrefix, tenant),
      verifierKeys: [app.signingKey.verifierKey],
      ...(request.query.from_seq !== undefined && { fromSeq: request.query.from_seq }),
      ...(request.query.to_seq !== undefined && { toSeq: request.query.to_seq })
    })
    return reply
      .type('application/x-ndjson')
      .header('content-disposition', `attachment; filename="audit-${tenant}.ndjson"`)
      .send(Readable.from(lines) as never)
  })
}

export default exportRoutes
