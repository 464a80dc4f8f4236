import type { ApiKeyInfo } from './pg-key-store.js'

export type KeyChange = 'audit.key.create' | 'audit.key.revoke'

/**
 * What a key change puts on its tenant's chain besides the actor: the key by id, its name and
 * scopes, the reason of a revocation. Never the key itself, nor its prefix (part of the key).
 */
export function keyChangeDetails (info: ApiKeyInfo, reason?: string): { target: { type: string, id: string }, metadata: Record<string, unknown> } {
  return {
    target: { type: 'api_key', id: info.id },
    metadata: { name: info.name, scopes: info.scopes, ...(reason !== undefined && { reason }) }
  }
}
