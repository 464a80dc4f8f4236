import { type Kysely, sql } from 'kysely'

/** A role name used unquoted in SQL: lower case, so that it means the same quoted or not. */
export const SERVICE_ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/**
 * What the API and the worker need, and nothing more: append to the audit tables (never
 * update, delete or truncate them), move the chain heads (the per-chain lock), append witnesses' cosignatures and move
 * what the log knows of each witness's size, read and
 * create API keys and revoke them (only the two revocation columns; migration 0005 makes a
 * revocation final), record the signing keys and when they last signed (migration 0008 lets only
 * that change). docs/operations.md and docs/deploy.md list the same grants.
 */
const GRANTS = [
  'GRANT USAGE ON SCHEMA public TO :role',
  'GRANT SELECT, INSERT ON audit_events, checkpoints TO :role',
  'GRANT SELECT, INSERT, UPDATE ON chain_heads TO :role',
  'GRANT SELECT, INSERT ON checkpoint_cosignatures TO :role',
  'GRANT SELECT, INSERT, UPDATE ON witness_sizes TO :role',
  'GRANT SELECT, INSERT ON api_keys TO :role',
  'GRANT UPDATE (revoked_at, revoked_reason) ON api_keys TO :role',
  'GRANT SELECT, INSERT ON log_keys TO :role',
  'GRANT UPDATE (last_signed_at) ON log_keys TO :role'
]

/**
 * Creates the service's least-privilege login role if it does not exist, sets its password
 * when one is given, and makes its privileges on the service's tables exactly GRANTS (all
 * others revoked first, in the same transaction, so a running service never lacks one).
 * Idempotent: `migrate` runs it on every start when DATABASE_SERVICE_ROLE is set. Run as the
 * tables' owner with CREATEROLE (or as a superuser). Refuses a role that could bypass the
 * append-only triggers: a superuser, a BYPASSRLS or REPLICATION role, or the owner itself.
 */
export async function grantServiceRole (db: Kysely<any>, role: string, password?: string): Promise<void> {
  if (!SERVICE_ROLE_NAME.test(role)) throw new Error(`service role ${JSON.stringify(role)}: must match ${SERVICE_ROLE_NAME.source}`)
  await db.transaction().execute(async trx => {
    const { rows: [who] } = await sql<{ me: string, owner: string | null }>`
      SELECT current_user AS me, (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'audit_events') AS owner`.execute(trx)
    if (who?.me === role || who?.owner === role) throw new Error(`service role ${role} owns the tables or runs the migrations: it could disable the append-only triggers; use another role`)
    const { rows: [existing] } = await sql<{ rolsuper: boolean, rolbypassrls: boolean, rolreplication: boolean }>`
      SELECT rolsuper, rolbypassrls, rolreplication FROM pg_roles WHERE rolname = ${role}`.execute(trx)
    if (existing === undefined) {
      await sql.raw(await statement(trx, 'CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS' + (password === undefined ? '' : ' PASSWORD %L'), role, password)).execute(trx)
    } else {
      if (existing.rolsuper || existing.rolbypassrls || existing.rolreplication) {
        throw new Error(`service role ${role} is a superuser, BYPASSRLS or REPLICATION role: it could bypass the append-only triggers; use a plain role`)
      }
      if (password !== undefined) await sql.raw(await statement(trx, 'ALTER ROLE %I PASSWORD %L', role, password)).execute(trx)
    }
    await sql.raw(await statement(trx, 'GRANT CONNECT ON DATABASE %I TO %I', undefined, undefined, role)).execute(trx)
    await sql.raw(`REVOKE ALL ON audit_events, checkpoints, checkpoint_cosignatures, witness_sizes, chain_heads, api_keys, log_keys FROM ${role}`).execute(trx)
    for (const grant of GRANTS) await sql.raw(grant.replace(':role', role)).execute(trx)
    // PostgreSQL 17+: lets the worker ANALYZE the table as it grows (docs/deploy.md).
    const { rows: [version] } = await sql<{ v: number }>`SELECT current_setting('server_version_num')::int AS v`.execute(trx)
    if ((version?.v ?? 0) >= 170000) await sql.raw(`GRANT MAINTAIN ON audit_events TO ${role}`).execute(trx)
  })
}

/**
 * A statement built by the server's format(): the password is quoted by PostgreSQL itself
 * (%L), never spliced into SQL here. CONNECT names the current database.
 */
async function statement (db: Kysely<any>, template: string, role?: string, password?: string, grantee?: string): Promise<string> {
  const { rows: [row] } = grantee === undefined
    ? await sql<{ q: string }>`SELECT format(${template}, ${role}::text, ${password ?? null}::text) AS q`.execute(db)
    : await sql<{ q: string }>`SELECT format(${template}, current_database(), ${grantee}::text) AS q`.execute(db)
  return row!.q
}
