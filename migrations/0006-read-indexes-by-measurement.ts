import { type Kysely, sql } from 'kysely'

// Fewer and smaller read indexes, chosen by measurement (bench/measure-index-costs.ts, the
// study in docs/read-indexes.md): every read of docs/read-queries.md stays under 10 ms at 10M
// rows, and an insert costs about a sixth less PostgreSQL CPU than with the nine of 0003.
// - target.type + target.id is served by (tenant, target_id, seq) with target_type as a filter
//   (an id rarely names targets of several types), so the (tenant, target_type, target_id, seq)
//   index, the dearest of the nine to keep up, goes.
// - actor.type and outcome hold the rows of all but their common value ('user', 'success'):
//   a rare or absent value is found in the small index; the common one by walking the primary
//   key, where a page of it is at hand. (A tenant where the common value is rare pays for it
//   there: docs/read-indexes.md.)
// Only the two partial indexes are built, each from one scan of the table (seconds at 10M rows,
// under a lock that holds inserts back meanwhile); the rest are dropped.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX audit_events_actor_type_rare_idx ON audit_events (tenant, actor_type, seq) WHERE actor_type <> 'user'`.execute(db)
  await sql`CREATE INDEX audit_events_outcome_rare_idx ON audit_events (tenant, outcome, seq) WHERE outcome <> 'success'`.execute(db)
  await sql`DROP INDEX audit_events_actor_type_idx`.execute(db)
  await sql`DROP INDEX audit_events_outcome_idx`.execute(db)
  await sql`DROP INDEX audit_events_target_idx`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX audit_events_target_idx ON audit_events (tenant, target_type, target_id, seq)`.execute(db)
  await sql`CREATE INDEX audit_events_outcome_idx ON audit_events (tenant, outcome, seq)`.execute(db)
  await sql`CREATE INDEX audit_events_actor_type_idx ON audit_events (tenant, actor_type, seq)`.execute(db)
  await sql`DROP INDEX audit_events_outcome_rare_idx`.execute(db)
  await sql`DROP INDEX audit_events_actor_type_rare_idx`.execute(db)
}
