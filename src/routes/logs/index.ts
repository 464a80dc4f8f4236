import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { parseTileIndexPath, parseTilePath, TILE_WIDTH, tileTreeSize, type TileRef } from '../../core/tiles/index.js'
import { EntryTooLargeError, NoCheckpointError, RequestValidationError, TileNotFoundError } from '../../errors.js'
import { tenantFor } from '../../http/tenant-for.js'
import { errorResponse } from '../../schemas/error.js'
import { exampleCheckpointNote } from '../../schemas/examples.js'
import { BinaryTile, CHECKPOINT_HEADERS, EntryBundleParams, HashTileParams, LogParams, TILE_HEADERS, TILE_INDEX_REASON, TILE_LEVEL_REASON } from '../../schemas/tile.js'
import { PgTileReader } from '../../store/pg-tile-reader.js'
import { TenantParam } from '../../schemas/tenant.js'

export interface LogRoutesOptions {
  defaultTenant: string
  /** PUBLIC_TENANTS: logs anyone may read without a key. */
  publicTenants: string[]
}

const YEAR = 31_536_000
// A partial tile's bytes never change either, but the full tile soon replaces it.
const PARTIAL_MAX_AGE = 5

const badTenant = new RequestValidationError([{ field: '/tenant', in: 'params', reason: `must match pattern "${(TenantParam as { pattern?: string }).pattern}"` }])
const malformed = (field: '/L' | '/N') => new RequestValidationError([{ field, in: 'params', reason: field === '/L' ? TILE_LEVEL_REASON : TILE_INDEX_REASON }])
const beyond = (tenant: string, path: string, needs: number, size: number) =>
  new TileNotFoundError(`${path} of tenant ${tenant} needs a tree of ${Number.isFinite(needs) ? needs : 'more than 2^53'} records; ${size === 0 ? 'the log has no checkpoint yet' : `the latest checkpoint covers ${size}`}`)

/** Whether `If-None-Match` names this ETag (or `*`). */
function notModified (request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match']
  if (header === undefined) return false
  return header.split(',').some(tag => { const t = tag.trim(); return t === '*' || t === etag || t === `W/${etag}` })
}

// A key, or none for a public tenant's log (OpenAPI: an empty requirement makes it optional).
const security: Array<Record<string, string[]>> = [{ apiKey: [] }, {}]

/**
 * Each tenant's log as a C2SP tlog-tiles log under `/logs/<tenant>/`: its latest signed
 * checkpoint, hash tiles and entry bundles, read from the stored tree nodes and records. A
 * tile is served once the latest checkpoint's tree holds all of it: a client needs no more
 * (it starts from a checkpoint), and nothing is shown that no checkpoint has signed.
 */
const logRoutes: FastifyPluginAsyncTypebox<LogRoutesOptions> = async (app, opts) => {
  const publicTenants = new Set(opts.publicTenants)
  const reader = new PgTileReader(app.db)
  const config = {
    scope: 'events:read' as const,
    publicIf: (request: FastifyRequest) => publicTenants.has((request.params as { tenant?: string }).tenant ?? '')
  }

  /** Public logs to anyone; others to a key of the tenant (or the admin key). Returns the caches' word. */
  const readable = (request: FastifyRequest, tenant: string): 'public' | 'private' => {
    if (publicTenants.has(tenant)) return 'public'
    tenantFor(request, tenant, opts.defaultTenant)
    return 'private'
  }

  const serve = async (request: FastifyRequest, reply: FastifyReply, tenant: string, tile: TileRef | undefined, field: '/L' | '/N') => {
    const visibility = readable(request, tenant)
    if (tile === undefined) throw malformed(field)
    const size = await app.checkpointStore.latestSize(tenant)
    const needs = tileTreeSize(tile)
    if (needs > size) {
      const path = request.url.split('?')[0]!
      throw beyond(tenant, path.slice(path.indexOf('/tile/') + 1), needs, size)
    }
    const body = tile.kind === 'hash' ? await reader.hashTile(tenant, tile) : await reader.entryBundle(tenant, tile)
    const etag = `"${createHash('sha256').update(body).digest('base64url')}"`
    reply.header('etag', etag).header('cache-control', tile.width === TILE_WIDTH ? `${visibility}, max-age=${YEAR}, immutable` : `${visibility}, max-age=${PARTIAL_MAX_AGE}`)
    if (notModified(request, etag)) return reply.code(304).send()
    return reply.type('application/octet-stream').send(body)
  }

  const notModifiedResponse = { type: 'null', description: 'The tile has the ETag sent in `If-None-Match`: use the copy you have', headers: TILE_HEADERS }
  const badPath = (...examples: RequestValidationError[]) => errorResponse('The request is invalid (`AUDIT_ERR_VALIDATION`): a tenant name, tile level or tile index that is not the one spelling of C2SP tlog-tiles (no leading zeros, W 1-255)', ...examples)

  app.get('/logs/:tenant/checkpoint', {
    config,
    schema: {
      security,
      operationId: 'getLogCheckpoint',
      summary: 'The tenant\'s latest signed checkpoint (C2SP tlog-tiles)',
      description: 'The C2SP tlog-checkpoint signed note that tile clients start from; the same note as `GET /checkpoints/latest`. No key is needed for a tenant listed in `PUBLIC_TENANTS`; for another, a key of the tenant with `events:read` (or the admin key). Verify it with the tenant\'s key from `/.well-known/audit-log-keys`. A log with no checkpoint yet (no records, or none signed) is a 404.',
      tags: ['tiles'],
      params: LogParams,
      response: {
        200: { description: 'The signed note', headers: CHECKPOINT_HEADERS, content: { 'text/plain': { schema: Type.String({ examples: [exampleCheckpointNote] }) } } },
        400: errorResponse('The tenant is no tenant name (`AUDIT_ERR_VALIDATION`)', badTenant),
        404: errorResponse('No checkpoint of this tenant yet (`AUDIT_ERR_NO_CHECKPOINT`)', new NoCheckpointError('no checkpoint for tenant nope yet'))
      }
    }
  }, async (request, reply) => {
    const { tenant } = request.params
    const visibility = readable(request, tenant)
    const latest = await app.checkpointStore.latestNote(tenant)
    if (latest === undefined) throw new NoCheckpointError(`no checkpoint for tenant ${tenant} yet`)
    return reply.type('text/plain; charset=utf-8').header('cache-control', `${visibility}, no-cache`).send(latest.note)
  })

  app.get('/logs/:tenant/tile/entries/*', {
    config,
    schema: {
      security,
      operationId: 'getLogEntryBundle',
      summary: 'An entry bundle of the tenant\'s log (C2SP tlog-tiles)',
      description: 'Entry bundle N: the canonical bytes of records seq 256N+1 .. 256N+W (W = 256, or the width of a partial bundle), each as a big-endian uint16 length and the bytes, the bytes each leaf hashes (SHA-256(0x00 || bytes)). Served once the latest checkpoint covers it. A record over 65,535 bytes, stored by an older version, cannot be an entry: its bundle is a 422 naming its seq.',
      tags: ['tiles'],
      params: EntryBundleParams,
      response: {
        200: { description: 'The entry bundle', headers: TILE_HEADERS, content: { 'application/octet-stream': { schema: BinaryTile('Entries: uint16 big-endian length, then the record\'s canonical bytes', '(binary) 0x01 0x2c {"action":"user.login",... (300 bytes) 0x01 0x31 {...') } } },
        304: notModifiedResponse,
        400: badPath(malformed('/N'), badTenant),
        404: errorResponse('The bundle is beyond the latest checkpoint, or the tenant has none (`AUDIT_ERR_TILE_NOT_FOUND`)', beyond('default', 'tile/entries/001', 512, 300)),
        422: errorResponse('The bundle holds a record over 65,535 bytes, stored by an older version (`AUDIT_ERR_ENTRY_TOO_LARGE`): read that record with `GET /audit-events`', new EntryTooLargeError(7, 70_000, 'default'))
      }
    }
  }, async (request, reply) => {
    const { tenant, '*': path } = request.params
    const at = parseTileIndexPath(path)
    return await serve(request, reply, tenant, at === undefined ? undefined : { kind: 'entries', ...at }, '/N')
  })

  app.get('/logs/:tenant/tile/:L/*', {
    config,
    schema: {
      security,
      operationId: 'getLogHashTile',
      summary: 'A hash tile of the tenant\'s log (C2SP tlog-tiles)',
      description: 'Tile (L, N): the W hashes (32 bytes each) of tree level 8L, indices 256N .. 256N+W-1 (W = 256, or the width of a partial tile), read from the stored subtree hashes. Served once the latest checkpoint\'s tree holds all of them.',
      tags: ['tiles'],
      params: HashTileParams,
      response: {
        200: { description: 'The hash tile', headers: TILE_HEADERS, content: { 'application/octet-stream': { schema: BinaryTile('W hashes of 32 bytes', '(binary) W x 32 bytes: SHA-256 node hashes, left to right') } } },
        304: notModifiedResponse,
        400: badPath(malformed('/N'), malformed('/L'), badTenant),
        404: errorResponse('The tile is beyond the latest checkpoint, or the tenant has none (`AUDIT_ERR_TILE_NOT_FOUND`)', beyond('default', 'tile/1/000', 65_536, 300))
      }
    }
  }, async (request, reply) => {
    const { tenant, L: level, '*': path } = request.params
    const tile = parseTilePath(level, path)
    return await serve(request, reply, tenant, tile, parseTileIndexPath(path) === undefined ? '/N' : '/L')
  })
}

export default logRoutes
