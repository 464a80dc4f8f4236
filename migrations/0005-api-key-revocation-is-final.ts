import { type Kysely, sql } from 'kysely'

// The service role may UPDATE (revoked_at, revoked_reason) on api_keys, so that it can revoke;
// without this trigger the same grant could also bring a leaked key back to life. A key row
// may change once, from active to revoked; who it belongs to and what it may do never change.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION api_keys_revocation_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.revoked_at IS NOT NULL THEN
        RAISE EXCEPTION 'api key % is revoked: a revocation cannot be changed or undone', OLD.id
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF NEW.id IS DISTINCT FROM OLD.id OR NEW.tenant IS DISTINCT FROM OLD.tenant
        OR NEW.name IS DISTINCT FROM OLD.name OR NEW.scopes IS DISTINCT FROM OLD.scopes
        OR NEW.key_hash IS DISTINCT FROM OLD.key_hash OR NEW.key_prefix IS DISTINCT FROM OLD.key_prefix
        OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'api key %: only revoked_at and revoked_reason may be set', OLD.id
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END
    $$`.execute(db)
  await sql`
    CREATE TRIGGER api_keys_revocation_is_final
    BEFORE UPDATE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION api_keys_revocation_is_final()`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER api_keys_revocation_is_final ON api_keys`.execute(db)
  await sql`DROP FUNCTION api_keys_revocation_is_final()`.execute(db)
}
