import { type Kysely, sql } from 'kysely'

// Witnesses' cosignatures of the signed checkpoints (C2SP tlog-witness), one row per
// (tenant, size, witness): the signature line as the witness returned it (after it verified
// with the witness's key) and the time it states. Append-only like the checkpoints they
// cosign, with 0002's trigger function: a cosignature once gathered is evidence.
//
// witness_sizes is the log's memory of each witness: the size of the tenant's checkpoint the
// witness last accepted, which the next add-checkpoint states as `old`. It moves (a 409
// corrects it), so it is a plain table, and not evidence of anything.
export async function up (db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE checkpoint_cosignatures (
      tenant text NOT NULL,
      size bigint NOT NULL,
      witness text NOT NULL,
      signature_line text NOT NULL,
      cosigned_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT checkpoint_cosignatures_pkey PRIMARY KEY (tenant, size, witness),
      CONSTRAINT checkpoint_cosignatures_checkpoint_fkey FOREIGN KEY (tenant, size) REFERENCES checkpoints (tenant, size)
    )`.execute(db)
  await sql`
    CREATE TRIGGER checkpoint_cosignatures_no_update_delete
    BEFORE UPDATE OR DELETE ON checkpoint_cosignatures
    FOR EACH ROW EXECUTE FUNCTION audit_reject_change()`.execute(db)
  await sql`
    CREATE TRIGGER checkpoint_cosignatures_no_truncate
    BEFORE TRUNCATE ON checkpoint_cosignatures
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change()`.execute(db)

  await sql`
    CREATE TABLE witness_sizes (
      tenant text NOT NULL,
      witness text NOT NULL,
      size bigint NOT NULL CHECK (size >= 0),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT witness_sizes_pkey PRIMARY KEY (tenant, witness)
    )`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE witness_sizes, checkpoint_cosignatures`.execute(db)
}
