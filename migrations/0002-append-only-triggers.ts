import { type Kysely, sql } from 'kysely'

// Defence in depth: the service never updates or deletes audit rows, so the tables refuse it.
// A superuser can still disable triggers; the signed checkpoints are what makes that visible.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit table % is append-only: % rejected', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
    END
    $$`.execute(db)
  for (const table of ['audit_events', 'checkpoints']) {
    await sql`
      CREATE TRIGGER ${sql.raw(`${table}_no_update_delete`)}
      BEFORE UPDATE OR DELETE ON ${sql.table(table)}
      FOR EACH ROW EXECUTE FUNCTION audit_reject_change()`.execute(db)
    await sql`
      CREATE TRIGGER ${sql.raw(`${table}_no_truncate`)}
      BEFORE TRUNCATE ON ${sql.table(table)}
      FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()`.execute(db)
  }
}

export async function down (db: Kysely<any>): Promise<void> {
  for (const table of ['audit_events', 'checkpoints']) {
    await sql`DROP TRIGGER ${sql.raw(`${table}_no_update_delete`)} ON ${sql.table(table)}`.execute(db)
    await sql`DROP TRIGGER ${sql.raw(`${table}_no_truncate`)} ON ${sql.table(table)}`.execute(db)
  }
  await sql`DROP FUNCTION audit_reject_change()`.execute(db)
}
