import { sql, type RawBuilder } from 'kysely'

/**
 * `tenant = <tenant>` in a form no index can use, for lookups by id: the unique (id, tenant)
 * key is then the only index with a usable condition, so the plan cannot depend on statistics
 * (migrations/0004-id-first-unique-key.ts says why). It still only reads the one row with that
 * id.
 */
export function tenantFilter (tenant: string): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref('tenant')} || '') = ${tenant}`
}
