import { type Kysely, sql } from 'kysely'
import type { LogKeyRecord } from '../keys/log-key-record.js'
import type { Database } from './database.js'

/** The `log_keys` table (migration 0008): every key that signed this log, and when. */
export class PgLogKeyStore {
  readonly #db: Kysely<Database>

  constructor (db: Kysely<Database>) {
    this.#db = db
  }

  /**
   * Records keys that are about to sign (the first time), or their use (after). The first key
   * ever recorded in a log that already has checkpoints or events is the one that signed them
   * under the single pre-origin name `legacyName`: its row keeps that name, and its legacy
   * validity starts at the first checkpoint.
   */
  async record (publicKeys: readonly Buffer[], legacyName: string): Promise<void> {
    for (const key of publicKeys) {
      await sql`
        INSERT INTO log_keys (public_key, first_signed_at, last_signed_at, legacy_name)
        SELECT ${key}, coalesce(legacy.since, now()), now(), CASE WHEN legacy.since IS NULL THEN NULL ELSE ${legacyName}::text END
        FROM (SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM log_keys)
                AND (EXISTS (SELECT 1 FROM checkpoints) OR EXISTS (SELECT 1 FROM audit_events))
              THEN coalesce((SELECT min(created_at) FROM checkpoints), (SELECT min(stored_at) FROM audit_events)) END AS since) AS legacy
        ON CONFLICT (public_key) DO UPDATE SET last_signed_at = greatest(log_keys.last_signed_at, excluded.last_signed_at)`.execute(this.#db)
    }
  }

  async list (): Promise<LogKeyRecord[]> {
    const rows = await this.#db.selectFrom('log_keys').selectAll().orderBy('recorded_at').orderBy('public_key').execute()
    return rows.map(r => ({
      publicKey: r.public_key,
      firstSignedAt: r.first_signed_at,
      recordedAt: r.recorded_at,
      lastSignedAt: r.last_signed_at,
      legacyName: r.legacy_name
    }))
  }
}
