import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { CheckpointSigner } from '../../worker/checkpoint-signer.js'
import type { CosignedCheckpoint as StoredCosignedCheckpoint, StoredCheckpoint } from '../../store/pg-checkpoint-store.js'
import { logOrigin } from '../../core/checkpoint/index.js'
import { EmptyLogError, NoCheckpointError, NotAcceptableError } from '../../errors.js'
import { negotiate, VARY_ACCEPT } from '../../http/negotiate.js'
import { tenantFor } from '../../http/tenant-for.js'
import { Checkpoint, CheckpointList, CheckpointsQuery, CosignedCheckpoint, LatestCheckpointQuery } from '../../schemas/checkpoint.js'
import { TenantQuery } from '../../schemas/tenant.js'
import { described, errorResponse } from '../../schemas/error.js'
import { exampleCheckpointNote } from '../../schemas/examples.js'

export interface CheckpointRoutesOptions {
  defaultTenant: string
  originPrefix: string
}

function toJson (c: StoredCheckpoint, originPrefix: string) {
  return {
    tenant: c.tenant,
    origin: logOrigin(originPrefix, c.tenant),
    size: c.size,
    root_hash: c.rootHash.toString('base64'),
    note: c.note,
    created_at: c.createdAt.toISOString()
  }
}

function toCosignedJson (c: StoredCosignedCheckpoint, originPrefix: string) {
  return {
    ...toJson(c, originPrefix),
    cosigned_note: c.cosignedNote,
    cosignatures: c.cosignatures.map(s => ({ witness: s.witness, signature_line: s.signatureLine, cosigned_at: s.cosignedAt.toISOString() }))
  }
}

/** The note first: the default. */
const CHECKPOINT_TYPES = ['text/plain', 'application/json'] as const

const noCheckpoint = (tenant: string) => new NoCheckpointError(`no checkpoint for tenant ${tenant} yet`)

const checkpointRoutes: FastifyPluginAsyncTypebox<CheckpointRoutesOptions> = async (app, opts) => {
  const store = app.checkpointStore
  const signer = new CheckpointSigner({ store, signersFor: tenant => app.logKeys.keys.signersFor(tenant), onSigned: () => { app.logKeys.noteSigned() }, originFor: tenant => logOrigin(opts.originPrefix, tenant) })

  app.get('/checkpoints/latest', {
    config: { scope: 'events:read' },
    schema: {
      operationId: 'getLatestCheckpoint',
      summary: 'Latest signed checkpoint of a tenant\'s log',
      description: 'A C2SP tlog-checkpoint in a C2SP signed note (text/plain), or JSON with `Accept: application/json` (or `?format=json`, which overrides Accept). No Accept or `*/*` answers the note; an Accept that allows neither is a 406. Verify it with the key from `/.well-known/audit-log-keys`. With witnesses (WITNESSES), the note carries every witness cosignature gathered for it as further signature lines (C2SP tlog-cosignature): a verifier opens it with the witnesses\' keys too, and ignores keys it does not know.',
      tags: ['checkpoints'],
      querystring: LatestCheckpointQuery,
      response: {
        200: {
          description: 'The checkpoint: the signed note with its cosignatures as text, or JSON (by Accept, or `format`)',
          headers: VARY_ACCEPT,
          content: { 'text/plain': { schema: Type.String({ examples: [exampleCheckpointNote] }) }, 'application/json': { schema: CosignedCheckpoint } }
        },
        404: errorResponse('No checkpoint of this tenant yet (`AUDIT_ERR_NO_CHECKPOINT`)', noCheckpoint('default')),
        406: errorResponse('Accept allows neither the note nor JSON (`AUDIT_ERR_NOT_ACCEPTABLE`)', new NotAcceptableError('application/xml', ['text/plain', 'application/json'], 'format=note or format=json'))
      }
    }
  }, async (request, reply) => {
    const json = request.query.format === undefined
      ? negotiate(request, reply, CHECKPOINT_TYPES, 'format=note or format=json') === 'application/json'
      : request.query.format === 'json'
    const tenant = tenantFor(request, request.query.tenant, opts.defaultTenant)
    const latest = await store.latestCosigned(tenant)
    if (latest === undefined) throw noCheckpoint(tenant)
    if (json) return reply.type('application/json').send(toCosignedJson(latest, opts.originPrefix))
    return reply.type('text/plain; charset=utf-8').send(latest.cosignedNote)
  })

  app.get('/checkpoints', {
    config: { scope: 'events:read' },
    schema: {
      operationId: 'listCheckpoints',
      summary: 'Stored checkpoints of a tenant\'s log, newest first (or the one at `size`)',
      tags: ['checkpoints'],
      querystring: CheckpointsQuery,
      response: {
        200: described(CheckpointList, 'The checkpoints, newest first (an empty list when there is none)'),
        404: errorResponse('No checkpoint at the `size` asked for (`AUDIT_ERR_NO_CHECKPOINT`)', new NoCheckpointError('no checkpoint at size 4'))
      }
    }
  }, async (request) => {
    const tenant = tenantFor(request, request.query.tenant, opts.defaultTenant)
    const { size } = request.query
    const found = await store.list(tenant, { ...(size !== undefined && { size }), limit: request.query.limit ?? 100 })
    if (size !== undefined && found.length === 0) throw new NoCheckpointError(`no checkpoint at size ${size}`)
    return { checkpoints: found.map(c => toJson(c, opts.originPrefix)) }
  })

  app.post('/checkpoints', {
    config: { scope: 'admin' },
    schema: {
      operationId: 'signCheckpoint',
      summary: 'Sign a checkpoint of the tenant\'s current tree now',
      description: 'Checkpoints are also signed by the worker on a timer (CHECKPOINT_INTERVAL_SECONDS). Signing the same size twice returns the stored checkpoint.',
      tags: ['checkpoints'],
      querystring: TenantQuery,
      response: {
        201: described(Checkpoint, 'The checkpoint of the tree\'s current size, signed now or already stored'),
        404: errorResponse('The tenant has no events yet (`AUDIT_ERR_EMPTY_LOG`)', new EmptyLogError('tenant default has no events yet'))
      }
    }
  }, async (request, reply) => {
    const tenant = tenantFor(request, request.query.tenant, opts.defaultTenant)
    const checkpoint = await signer.signNow(tenant)
    if (checkpoint === undefined) throw new EmptyLogError(`tenant ${tenant} has no events yet`)
    return reply.code(201).send(toJson(checkpoint, opts.originPrefix))
  })
}

export default checkpointRoutes
