import { type Kysely, sql } from 'kysely'

// Hashes and canonical bytes are bytea so that what was hashed is stored byte for byte;
// `record` is a jsonb copy for queries only (verification checks it against `canonical`).
export async function up (db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE audit_events (
      tenant text NOT NULL,
      seq bigint NOT NULL CHECK (seq >= 1),
      id uuid NOT NULL,
      prev_hash bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
      hash bytea NOT NULL CHECK (octet_length(hash) = 32),
      canonical bytea NOT NULL,
      record jsonb NOT NULL,
      content_digest bytea NOT NULL,
      tree_nodes bytea NOT NULL,
      occurred_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL,
      stored_at timestamptz NOT NULL DEFAULT now(),
      action text NOT NULL,
      actor_type text NOT NULL,
      actor_id text NOT NULL,
      target_type text,
      target_id text,
      outcome text,
      request_id text,
      CONSTRAINT audit_events_pkey PRIMARY KEY (tenant, seq),
      CONSTRAINT audit_events_tenant_prev_hash_key UNIQUE (tenant, prev_hash),
      CONSTRAINT audit_events_tenant_id_key UNIQUE (tenant, id)
    )`.execute(db)

  // One row per tenant: the head of its chain and the Merkle frontier. Locking this row
  // (SELECT ... FOR UPDATE) is the per-chain lock that serialises appenders.
  await sql`
    CREATE TABLE chain_heads (
      tenant text PRIMARY KEY,
      size bigint NOT NULL DEFAULT 0,
      head_hash bytea NOT NULL,
      frontier bytea NOT NULL,
      root_hash bytea NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db)

  await sql`
    CREATE TABLE checkpoints (
      tenant text NOT NULL,
      size bigint NOT NULL CHECK (size >= 0),
      root_hash bytea NOT NULL CHECK (octet_length(root_hash) = 32),
      note text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT checkpoints_pkey PRIMARY KEY (tenant, size)
    )`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE checkpoints, chain_heads, audit_events`.execute(db)
}
