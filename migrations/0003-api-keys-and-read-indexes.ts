import { type Kysely, sql } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  // Keys are stored only as SHA-256 of the whole random key: a key has 256 bits of entropy,
  // so a fast hash is enough, and lookup is by that hash through a unique index.
  await sql`
    CREATE TABLE api_keys (
      id uuid PRIMARY KEY,
      tenant text NOT NULL,
      name text NOT NULL,
      scopes text[] NOT NULL,
      key_hash bytea NOT NULL UNIQUE CHECK (octet_length(key_hash) = 32),
      key_prefix text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      revoked_reason text
    )`.execute(db)
  await sql`CREATE INDEX api_keys_tenant_idx ON api_keys (tenant, created_at)`.execute(db)

  // One index per filter of GET /audit-events, each ending in seq so that a filtered page is
  // read in seq order straight from the index (keyset pagination, no sort).
  await sql`CREATE INDEX audit_events_actor_id_idx ON audit_events (tenant, actor_id, seq)`.execute(db)
  await sql`CREATE INDEX audit_events_actor_type_idx ON audit_events (tenant, actor_type, seq)`.execute(db)
  // text_pattern_ops: serves both action = 'user.login' and the prefix form action LIKE 'user.%'.
  await sql`CREATE INDEX audit_events_action_idx ON audit_events (tenant, action text_pattern_ops, seq)`.execute(db)
  await sql`CREATE INDEX audit_events_target_idx ON audit_events (tenant, target_type, target_id, seq)`.execute(db)
  await sql`CREATE INDEX audit_events_target_id_idx ON audit_events (tenant, target_id, seq)`.execute(db)
  await sql`CREATE INDEX audit_events_request_id_idx ON audit_events (tenant, request_id, seq) WHERE request_id IS NOT NULL`.execute(db)
  await sql`CREATE INDEX audit_events_occurred_at_idx ON audit_events (tenant, occurred_at, seq)`.execute(db)
  await sql`CREATE INDEX audit_events_received_at_idx ON audit_events (tenant, received_at, seq)`.execute(db)
  await sql`CREATE INDEX audit_events_outcome_idx ON audit_events (tenant, outcome, seq)`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  for (const index of ['actor_id', 'actor_type', 'action', 'target', 'target_id', 'request_id', 'occurred_at', 'received_at', 'outcome']) {
    await sql`DROP INDEX ${sql.raw(`audit_events_${index}_idx`)}`.execute(db)
  }
  await sql`DROP TABLE api_keys`.execute(db)
}
