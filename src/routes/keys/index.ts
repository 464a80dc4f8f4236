import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { keyChangeDetails, type KeyChange } from '../../auth/key-change-event.js'
import type { KeyChangeRecorder } from '../../auth/pg-key-store.js'
import type { Scope } from '../../auth/scopes.js'
import { auditOwnAccess } from '../../ingest/audit-own-access.js'
import { NotFoundError } from '../../errors.js'
import { tenantFor } from '../../http/tenant-for.js'
import { ApiKeyInfo, ApiKeyList, CreateApiKey, CreatedApiKey, KeyIdParams, RevokeApiKey } from '../../schemas/api-key.js'
import { described, errorResponse } from '../../schemas/error.js'
import { TenantQuery } from '../../schemas/tenant.js'

const notFound = () => new NotFoundError('no such key')

/** Key management for admins: a tenant's admin key manages that tenant's keys only. */
const keyRoutes: FastifyPluginAsyncTypebox<{ defaultTenant: string }> = async (app, opts) => {
  // The change and its event on the key's tenant's chain go together: the key is written in a
  // transaction that commits only once the event is queued, so a queue that is down (503)
  // leaves no key change unrecorded.
  const record = (request: FastifyRequest, action: KeyChange, reason?: string): KeyChangeRecorder => async info => {
    const { target, metadata } = keyChangeDetails(info, reason)
    await auditOwnAccess(app, request, info.tenant, action, metadata, target)
  }

  app.post('/keys', {
    config: { scope: 'admin', redis: true },
    schema: { operationId: 'createApiKey', summary: 'Create an API key (the key is returned once)', description: 'Appends `audit.key.create` to the tenant\'s chain (actor: the admin key; target: the new key\'s id; metadata: name and scopes, never the key). If that event cannot be queued, no key is created: 503.', tags: ['keys'], body: CreateApiKey, response: { 201: described(CreatedApiKey, 'The key (shown this once: store it) and what is kept of it') } }
  }, async (request, reply) => {
    const tenant = tenantFor(request, request.body.tenant, opts.defaultTenant)
    const created = await app.keyStore.create(tenant, request.body.name, request.body.scopes as Scope[], record(request, 'audit.key.create'))
    request.log.info({ key_id: created.info.id, tenant, scopes: created.info.scopes }, 'api key created')
    return reply.code(201).send(created)
  })

  app.get('/keys', {
    config: { scope: 'admin' },
    schema: { operationId: 'listApiKeys', summary: 'List API keys of a tenant (never the keys themselves)', tags: ['keys'], querystring: TenantQuery, response: { 200: described(ApiKeyList, 'The tenant\'s keys, revoked ones included') } }
  }, async (request) => {
    const tenant = tenantFor(request, request.query.tenant, opts.defaultTenant)
    return { keys: await app.keyStore.list(tenant) }
  })

  app.post('/keys/:id/revoke', {
    config: { scope: 'admin', redis: true },
    schema: {
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key, on every API instance at once',
      description: 'Appends `audit.key.revoke` to the key\'s tenant\'s chain (actor: the admin key; target: the key\'s id; metadata: name, scopes, reason). If that event cannot be queued, the key stays active: 503.',
      tags: ['keys'],
      params: KeyIdParams,
      body: RevokeApiKey,
      response: {
        200: described(ApiKeyInfo, 'The key, revoked (now, or already before)'),
        404: errorResponse('No such key of this tenant (`AUDIT_ERR_NOT_FOUND`)', notFound())
      }
    }
  }, async (request) => {
    const existing = await app.keyStore.get(request.params.id)
    const principal = request.principal!
    // Another tenant's key is "not found", so ids do not leak across tenants.
    if (existing === undefined || (principal.tenant !== null && existing.tenant !== principal.tenant)) throw notFound()
    if (existing.revoked_at !== null) return existing
    const revoked = await app.keyStore.revoke(existing.id, request.body.reason, record(request, 'audit.key.revoke', request.body.reason))
    if (revoked === undefined) return (await app.keyStore.get(existing.id))!
    await app.announceRevocation(revoked.hash)
    request.log.info({ key_id: existing.id, tenant: existing.tenant }, 'api key revoked')
    return revoked.info
  })
}

export default keyRoutes
