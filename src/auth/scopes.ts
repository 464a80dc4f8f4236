/** What a key may do. `admin` includes the other two, within the key's tenant. */
export const SCOPES = ['events:write', 'events:read', 'admin'] as const
export type Scope = typeof SCOPES[number]

export function isScope (value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value)
}

/** Who is calling: the key's id, its tenant (null only for the bootstrap admin key: all tenants). */
export interface Principal {
  keyId: string
  name: string
  tenant: string | null
  scopes: ReadonlySet<Scope>
}

export function hasScope (principal: Principal, scope: Scope): boolean {
  return principal.scopes.has(scope) || principal.scopes.has('admin')
}
