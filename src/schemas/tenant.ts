import { Type } from 'typebox'

export const TenantParam = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'Tenant whose log is meant: only the bootstrap admin key may name one; other keys act on their own tenant', examples: ['default'] })

export const TenantQuery = Type.Object({ tenant: Type.Optional(TenantParam) }, { additionalProperties: false })
