import { type Kysely, sql } from 'kysely'

// Looking an event up by id (every append checks its batch's ids; GET /audit-events/{id}; its
// proof) must never depend on planner statistics. With the key as (tenant, id), a tenant that
// grew since the last ANALYZE looks like one row to the planner, every (tenant, ...) read index
// looks as cheap, and PostgreSQL picked one and filtered the whole tenant for each id: 70 ms
// per id at 80,000 rows, so appends crawled (bench figure 4). As (id, tenant), the key is the
// only index that starts with id; lookups put the tenant in a condition no index can use
// (src/store/tenant-filter.ts), so this index is the only plan.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE audit_events ADD CONSTRAINT audit_events_id_tenant_key UNIQUE (id, tenant)`.execute(db)
  await sql`ALTER TABLE audit_events DROP CONSTRAINT audit_events_tenant_id_key`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE audit_events ADD CONSTRAINT audit_events_tenant_id_key UNIQUE (tenant, id)`.execute(db)
  await sql`ALTER TABLE audit_events DROP CONSTRAINT audit_events_id_tenant_key`.execute(db)
}
