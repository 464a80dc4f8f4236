import type { Kysely } from 'kysely'
import { uuidV7 } from '../ingest/uuid-v7.js'
import type { Database } from '../store/database.js'
import { generateApiKey } from './api-key.js'
import type { Scope } from './scopes.js'

export interface ApiKeyInfo {
  id: string
  tenant: string
  name: string
  scopes: Scope[]
  prefix: string
  created_at: string
  revoked_at: string | null
  revoked_reason: string | null
}

/** Puts a key change on the tenant's chain (queues its event); throwing cancels the change. */
export type KeyChangeRecorder = (info: ApiKeyInfo) => Promise<void>

type Row = Database['api_keys'] extends infer T ? { [K in keyof T]: any } : never

function toInfo (row: Row): ApiKeyInfo {
  return {
    id: row.id,
    tenant: row.tenant,
    name: row.name,
    scopes: row.scopes,
    prefix: row.key_prefix,
    created_at: new Date(row.created_at).toISOString(),
    revoked_at: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
    revoked_reason: row.revoked_reason
  }
}

/** API keys in PostgreSQL. Revocation sets `revoked_at`; a key row is never deleted. */
export class PgKeyStore {
  readonly #db: Kysely<Database>
  readonly #onCreated: ((hash: Buffer) => Promise<void>) | undefined

  /** `onCreated` hears of each new key's hash (the API announces it to every instance). */
  constructor (db: Kysely<Database>, options: { onCreated?: (hash: Buffer) => Promise<void> } = {}) {
    this.#db = db
    this.#onCreated = options.onCreated
  }

  /**
   * Creates a key and returns it in clear: the only time it is ever shown. `record` (the
   * key's event on the tenant's chain) runs before the commit: if it throws, no key exists.
   */
  async create (tenant: string, name: string, scopes: Scope[], record?: KeyChangeRecorder): Promise<{ key: string, info: ApiKeyInfo }> {
    const { key, hash, prefix } = generateApiKey()
    const info = await this.#db.transaction().execute(async trx => {
      const row = await trx.insertInto('api_keys')
        .values({ id: uuidV7(), tenant, name, scopes, key_hash: hash, key_prefix: prefix, revoked_at: null, revoked_reason: null })
        .returningAll().executeTakeFirstOrThrow()
      const info = toInfo(row)
      await record?.(info)
      return info
    })
    // After the commit: announced earlier, another instance could cache "unknown" again.
    await this.#onCreated?.(hash)
    return { key, info }
  }

  async list (tenant?: string): Promise<ApiKeyInfo[]> {
    let query = this.#db.selectFrom('api_keys').selectAll()
    if (tenant !== undefined) query = query.where('tenant', '=', tenant)
    return (await query.orderBy('created_at').execute()).map(toInfo)
  }

  async get (id: string): Promise<ApiKeyInfo | undefined> {
    const row = await this.#db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst()
    return row && toInfo(row)
  }

  /**
   * Returns the revoked key (with its hash, to tell the other API instances), or undefined
   * when there is no active key with that id. `record` runs before the commit, as for `create`:
   * if it throws, the key stays active.
   */
  async revoke (id: string, reason: string, record?: KeyChangeRecorder): Promise<{ info: ApiKeyInfo, hash: Buffer } | undefined> {
    return await this.#db.transaction().execute(async trx => {
      const row = await trx.updateTable('api_keys')
        .set({ revoked_at: new Date(), revoked_reason: reason })
        .where('id', '=', id).where('revoked_at', 'is', null)
        .returningAll().executeTakeFirst()
      if (row === undefined) return undefined
      const info = toInfo(row)
      await record?.(info)
      return { info, hash: row.key_hash }
    })
  }

  async findActiveByHash (hash: Buffer): Promise<ApiKeyInfo | undefined> {
    const row = await this.#db.selectFrom('api_keys').selectAll()
      .where('key_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst()
    return row && toInfo(row)
  }
}
