import type { FastifyRequest } from 'fastify'
import { ForbiddenError } from '../errors.js'

/**
 * The tenant a request acts on. A key belongs to one tenant and that is the answer; naming
 * another tenant (query or body) is a 403. Only the bootstrap admin key may choose.
 */
export function tenantFor (request: FastifyRequest, requested: string | undefined, defaultTenant: string): string {
  const principal = request.principal
  if (principal === null) throw new ForbiddenError('no principal on this request')
  if (principal.tenant === null) return requested ?? defaultTenant
  if (requested !== undefined && requested !== principal.tenant) {
    throw new ForbiddenError(`this key belongs to tenant ${principal.tenant}; it cannot act on tenant ${requested}`)
  }
  return principal.tenant
}
