import { Kysely, PostgresDialect, type Generated } from 'kysely'
import pg from 'pg'

export interface AuditEventsTable {
  tenant: string
  seq: number
  id: string
  prev_hash: Buffer
  hash: Buffer
  canonical: Buffer
  record: unknown
  content_digest: Buffer
  tree_nodes: Buffer
  occurred_at: Date | string
  received_at: Date | string
  stored_at: Generated<Date>
  action: string
  actor_type: string
  actor_id: string
  target_type: string | null
  target_id: string | null
  outcome: string | null
  request_id: string | null
}

export interface ChainHeadsTable {
  tenant: string
  size: number
  head_hash: Buffer
  frontier: Buffer
  root_hash: Buffer
  updated_at: Generated<Date>
}

export interface CheckpointsTable {
  tenant: string
  size: number
  root_hash: Buffer
  note: string
  created_at: Generated<Date>
}

/** A witness's cosignature of a checkpoint (migration 0007), append-only. */
export interface CheckpointCosignaturesTable {
  tenant: string
  size: number
  /** The witness's key as `<name>+<hex key id>`. */
  witness: string
  /** The note signature line, `— <name> <base64>`, without its newline. */
  signature_line: string
  /** The timestamp the cosignature states. */
  cosigned_at: Date
  created_at: Generated<Date>
}

/** The size of the tenant's checkpoint a witness last accepted: the next request's `old`. */
export interface WitnessSizesTable {
  tenant: string
  witness: string
  size: number
  updated_at: Generated<Date>
}

export interface ApiKeysTable {
  id: string
  tenant: string
  name: string
  scopes: string[]
  key_hash: Buffer
  key_prefix: string
  created_at: Generated<Date>
  revoked_at: Date | null
  revoked_reason: string | null
}

export interface LogKeysTable {
  public_key: Buffer
  first_signed_at: Date
  recorded_at: Generated<Date>
  last_signed_at: Date
  legacy_name: string | null
}

export interface Database {
  api_keys: ApiKeysTable
  log_keys: LogKeysTable
  audit_events: AuditEventsTable
  chain_heads: ChainHeadsTable
  checkpoints: CheckpointsTable
  checkpoint_cosignatures: CheckpointCosignaturesTable
  witness_sizes: WitnessSizesTable
}

// Sequence numbers and sizes are bigint columns; they stay far below 2^53, so parse them as
// numbers instead of pg's default strings. Scoped to our pool, not pg's global parsers.
const INT8_OID = 20
const types = {
  getTypeParser (oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value)
    return pg.types.getTypeParser(oid, format as 'text')
  }
}

export interface DatabaseOptions {
  connectionString: string
  max?: number
  /** Fail fast when PostgreSQL is unreachable instead of waiting for the OS timeout. */
  connectionTimeoutMillis?: number
  applicationName?: string
}

/**
 * Creates a Kysely instance over a pg pool.
 *
 * @example
 * const db = createDatabase({ connectionString: config.databaseUrl })
 * await db.selectFrom('chain_heads').selectAll().execute()
 */
export function createDatabase (options: DatabaseOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5000,
    application_name: options.applicationName ?? 'audit-service',
    types
  })
  // A connection lost while idle in the pool, or while checked out between two statements of a
  // transaction (PostgreSQL restarting), emits 'error'; without a listener that would crash
  // the process. The next query on it fails instead, and the job is retried.
  pool.on('error', () => {})
  pool.on('connect', client => { client.on('error', () => {}) })
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}
