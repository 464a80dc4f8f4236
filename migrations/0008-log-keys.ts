import { type Kysely, sql } from 'kysely'

// Every key that ever signed this log's notes, so that the whole history stays verifiable
// without the operator keeping a list of old keys: its public bytes (the names are derived:
// `<origin>` per tenant, and `legacy_name` for a key that signed before keys were named after
// origins), when it was first recorded, and the last time it signed. Append-only except
// last_signed_at, which only moves forward.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE log_keys (
      public_key bytea PRIMARY KEY CHECK (octet_length(public_key) = 32),
      first_signed_at timestamptz NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      last_signed_at timestamptz NOT NULL,
      legacy_name text
    )`.execute(db)
  await sql`
    CREATE FUNCTION log_keys_only_last_use() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'UPDATE' OR NEW.public_key IS DISTINCT FROM OLD.public_key
        OR NEW.first_signed_at IS DISTINCT FROM OLD.first_signed_at
        OR NEW.recorded_at IS DISTINCT FROM OLD.recorded_at
        OR NEW.legacy_name IS DISTINCT FROM OLD.legacy_name
        OR NEW.last_signed_at < OLD.last_signed_at THEN
        RAISE EXCEPTION 'log_keys is append-only: only last_signed_at may move forward (% rejected)', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END
    $$`.execute(db)
  await sql`
    CREATE TRIGGER log_keys_only_last_use
    BEFORE UPDATE OR DELETE ON log_keys
    FOR EACH ROW EXECUTE FUNCTION log_keys_only_last_use()`.execute(db)
  await sql`
    CREATE TRIGGER log_keys_no_truncate
    BEFORE TRUNCATE ON log_keys
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE log_keys`.execute(db)
  await sql`DROP FUNCTION log_keys_only_last_use()`.execute(db)
}
