import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { logOrigin } from '../../core/checkpoint/index.js'
import { leafHash, consistencyProof, inclusionProof, type NodeReader } from '../../core/merkle/index.js'
import { NoCheckpointError, NotAcceptableError, NotCheckpointedError, NotFoundError, TreeSizeError } from '../../errors.js'
import { negotiate, VARY_ACCEPT } from '../../http/negotiate.js'
import { tenantFor } from '../../http/tenant-for.js'
import { proofWithRoots } from '../../proofs/proof-with-roots.js'
import { formatTlogProof } from '../../proofs/tlog-proof.js'
import { CONTENT_DISPOSITION_HEADER } from '../../http/standard-responses.js'
import { errorResponse } from '../../schemas/error.js'
import { exampleInclusionProof } from '../../schemas/examples.js'
import { ConsistencyProof, ConsistencyProofQuery, InclusionProof, InclusionProofParams, InclusionProofQuery } from '../../schemas/proof.js'
import { PgLogReader } from '../../store/pg-log-reader.js'
import { tenantFilter } from '../../store/tenant-filter.js'

export interface ProofRoutesOptions {
  defaultTenant: string
  originPrefix: string
}

const badSize = (message: string) => new TreeSizeError(message)
/** JSON first: the default. */
const PROOF_TYPES = ['application/json', 'text/plain'] as const
const b64 = (hashes: Buffer[]) => hashes.map(h => h.toString('base64'))

/**
 * Inclusion and consistency proofs, read from the stored perfect-subtree hashes: one indexed
 * query of O(log n) rows per proof, whatever the size of the log.
 */
const proofRoutes: FastifyPluginAsyncTypebox<ProofRoutesOptions> = async (app, opts) => {
  const reader = new PgLogReader(app.db)
  const nodesOf = (tenant: string): NodeReader => nodes => reader.nodes(tenant, nodes)
  const latestCheckpoint = async (tenant: string) => await app.checkpointStore.latest(tenant)
  const checkpointsAt = async (tenant: string, sizes: number[]) => await app.checkpointStore.notesAt(tenant, sizes)

  app.get('/audit-events/:id/proof', {
    config: { scope: 'events:read' },
    schema: {
      operationId: 'getInclusionProof',
      summary: 'Inclusion proof of an event in its tenant\'s log',
      description: 'The RFC 9162 inclusion proof of the event\'s leaf in the tree of `tree_size` (default: the latest checkpoint), with the signed checkpoint and the same as a C2SP tlog-proof. `Accept: text/plain` (or `?format=tlog-proof`, which overrides Accept) answers the tlog-proof text alone; no Accept or `*/*` answers JSON, and an Accept that allows neither is a 406. An event not yet covered by a checkpoint is a 409: wait for the next one, or pass `tree_size` up to the log\'s size (the proof then has no checkpoint). Verify offline: `npx audit-service verify-proof event.tlog-proof --key <verifier key>`.',
      tags: ['proofs'],
      params: InclusionProofParams,
      querystring: InclusionProofQuery,
      response: {
        200: {
          description: 'The proof: JSON, or the C2SP tlog-proof alone as text (by Accept, or `format`)',
          headers: { ...VARY_ACCEPT, ...CONTENT_DISPOSITION_HEADER(false, 'a tlog-proof (`<id>.tlog-proof`); not sent with JSON') },
          content: { 'application/json': { schema: InclusionProof }, 'text/plain': { schema: Type.String({ description: 'C2SP tlog-proof', examples: [exampleInclusionProof.tlog_proof] }) } }
        },
        400: errorResponse('The request is invalid (`AUDIT_ERR_VALIDATION`), or `tree_size` is beyond the log or below the event\'s seq (`AUDIT_ERR_TREE_SIZE`)',
          new TreeSizeError('tree_size 9 is beyond the log\'s size 4')),
        404: errorResponse('No such event in the tenant\'s log (`AUDIT_ERR_NOT_FOUND`), or no signed checkpoint at `tree_size` for a tlog-proof (`AUDIT_ERR_NO_CHECKPOINT`)',
          new NotFoundError('no event 01a21a5e-22d2-76e0-9bd0-d3b4ab317058 in the log of tenant default (an accepted event is stored within about a second)'),
          new NoCheckpointError('no signed checkpoint at size 3: a tlog-proof needs one')),
        406: errorResponse('Accept allows neither JSON nor text (`AUDIT_ERR_NOT_ACCEPTABLE`)', new NotAcceptableError('application/xml', ['application/json', 'text/plain'], 'format=json or format=tlog-proof')),
        409: errorResponse('The event is stored but no checkpoint covers it yet (`AUDIT_ERR_NOT_CHECKPOINTED`): ask after the next one, or pass `tree_size`',
          new NotCheckpointedError('event 01a21a5e-22d2-76e0-9bd0-d3b4ab317058 is at seq 5 but the latest checkpoint covers 4 records: ask again after the next checkpoint, or pass tree_size (up to the log\'s size) for a proof without one'))
      }
    }
  }, async (request, reply) => {
    const text = request.query.format === undefined
      ? negotiate(request, reply, PROOF_TYPES, 'format=json or format=tlog-proof') === 'text/plain'
      : request.query.format === 'tlog-proof'
    const tenant = tenantFor(request, request.query.tenant, opts.defaultTenant)
    const { id } = request.params
    const event = await app.db.selectFrom('audit_events').select(['seq', 'canonical'])
      .where('id', '=', id).where(tenantFilter(tenant)).executeTakeFirst()
    if (event === undefined) {
      throw new NotFoundError(`no event ${id} in the log of tenant ${tenant} (an accepted event is stored within about a second)`)
    }

    let treeSize: number
    let checkpoint: string | undefined
    if (request.query.tree_size === undefined) {
      const latest = await latestCheckpoint(tenant)
      if (latest === undefined || latest.size < event.seq) {
        throw new NotCheckpointedError(
          `event ${id} is at seq ${event.seq} but the latest checkpoint covers ${latest?.size ?? 0} records: ask again after the next checkpoint, or pass tree_size (up to the log's size) for a proof without one`)
      }
      treeSize = latest.size
      checkpoint = latest.note
    } else {
      treeSize = request.query.tree_size
      const head = await reader.headSize(tenant)
      if (treeSize > head) throw badSize(`tree_size ${treeSize} is beyond the log's size ${head}`)
      if (treeSize < event.seq) throw badSize(`event ${id} is at seq ${event.seq}: it is not in the tree of size ${treeSize}`)
      checkpoint = (await checkpointsAt(tenant, [treeSize])).get(treeSize)
    }

    const index = event.seq - 1
    const { proof, roots } = await proofWithRoots(nodesOf(tenant), [treeSize], read => inclusionProof(index, treeSize, read))
    const tlogProof = checkpoint === undefined ? undefined : formatTlogProof({ extra: event.canonical, index, proof, checkpoint })
    if (text) {
      if (tlogProof === undefined) throw new NoCheckpointError(`no signed checkpoint at size ${treeSize}: a tlog-proof needs one`)
      return reply.type('text/plain; charset=utf-8').header('content-disposition', `attachment; filename="${id}.tlog-proof"`).send(tlogProof)
    }
    return reply.type('application/json').send({
      id,
      tenant,
      origin: logOrigin(opts.originPrefix, tenant),
      seq: event.seq,
      leaf_index: index,
      tree_size: treeSize,
      leaf_hash: leafHash(event.canonical).toString('base64'),
      root_hash: roots[0]!.toString('base64'),
      inclusion_proof: b64(proof),
      ...(checkpoint !== undefined && { checkpoint }),
      ...(tlogProof !== undefined && { tlog_proof: tlogProof })
    })
  })

  app.get('/proofs/consistency', {
    config: { scope: 'events:read' },
    schema: {
      operationId: 'getConsistencyProof',
      summary: 'Consistency proof between two sizes of a tenant\'s log',
      description: 'The RFC 9162 consistency proof that the tree of size `to` (default: the latest checkpoint) extends the tree of size `from`, with the signed checkpoints at those sizes when there are. A client that kept an old checkpoint checks with it that the log only grew: `npx audit-service verify-proof proof.json --checkpoint old.checkpoint --key <verifier key>`.',
      tags: ['proofs'],
      querystring: ConsistencyProofQuery,
      response: {
        200: ConsistencyProof,
        400: errorResponse('The request is invalid (`AUDIT_ERR_VALIDATION`), or `from` is above `to`, or `to` beyond the log (`AUDIT_ERR_TREE_SIZE`)', new TreeSizeError('to (9) is beyond the log\'s size 4')),
        404: errorResponse('No checkpoint yet to default `to` to (`AUDIT_ERR_NO_CHECKPOINT`)', new NoCheckpointError('no checkpoint for tenant default yet: pass to'))
      }
    }
  }, async (request) => {
    const tenant = tenantFor(request, request.query.tenant, opts.defaultTenant)
    const from = request.query.from
    let to = request.query.to
    if (to === undefined) {
      const latest = await latestCheckpoint(tenant)
      if (latest === undefined) throw new NoCheckpointError(`no checkpoint for tenant ${tenant} yet: pass to`)
      to = latest.size
    }
    if (from > to) throw badSize(`from (${from}) is larger than to (${to}${request.query.to === undefined ? ', the latest checkpoint' : ''})`)
    const head = await reader.headSize(tenant)
    if (to > head) throw badSize(`to (${to}) is beyond the log's size ${head}`)

    const size2 = to
    const [{ proof, roots }, checkpoints] = await Promise.all([
      proofWithRoots(nodesOf(tenant), [from, size2], read => consistencyProof(from, size2, read)),
      checkpointsAt(tenant, [from, size2])
    ])
    const fromCheckpoint = checkpoints.get(from)
    const toCheckpoint = checkpoints.get(to)
    return {
      tenant,
      origin: logOrigin(opts.originPrefix, tenant),
      from,
      to,
      from_root: roots[0]!.toString('base64'),
      to_root: roots[1]!.toString('base64'),
      proof: b64(proof),
      ...(fromCheckpoint !== undefined && { from_checkpoint: fromCheckpoint }),
      ...(toCheckpoint !== undefined && { to_checkpoint: toCheckpoint })
    }
  })
}

export default proofRoutes
