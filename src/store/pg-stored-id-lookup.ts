import { type Kysely, sql } from 'kysely'
import { recordSha256 } from '../proofs/record-sha256.js'
import type { StoredEvent, StoredIdLookup } from '../ingest/stored-id-lookup.js'
import type { Database } from './database.js'

/**
 * Ids of a flush looked up in PostgreSQL in one query, one probe of the unique (id, tenant)
 * key per id: the tenant is compared in a form no index can use, so that key is the only plan
 * (migrations/0004-id-first-unique-key.ts). Stored ids are rare (a repeat past the idempotency
 * key's lifetime), so their records are read and hashed here, not kept in a column.
 */
export class PgStoredIdLookup implements StoredIdLookup {
  constructor (private readonly db: Kysely<Database>) {}

  async find (events: ReadonlyArray<{ tenant: string, id: string }>): Promise<StoredEvent[]> {
    if (events.length === 0) return []
    const { rows } = await sql<{ tenant: string, id: string, content_digest: Buffer, canonical: Buffer }>`
      SELECT e.tenant, e.id, e.content_digest, e.canonical
      FROM unnest(${events.map(e => e.id)}::uuid[], ${events.map(e => e.tenant)}::text[]) AS k(id, tenant)
      CROSS JOIN LATERAL (
        SELECT tenant, id, content_digest, canonical FROM audit_events
        WHERE id = k.id AND (tenant || '') = k.tenant LIMIT 1
      ) e`.execute(this.db)
    return rows.map(row => {
      const record = JSON.parse(row.canonical.toString('utf8')) as Record<string, unknown>
      return {
        tenant: row.tenant,
        id: row.id,
        digest: row.content_digest.toString('hex'),
        received_at: String(record.received_at),
        record_sha256: recordSha256(record).toString('base64')
      }
    })
  }
}
