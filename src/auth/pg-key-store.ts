import type { Kysely } from 'kysely'
import { uuidV7 } from '../core/uuid-v7.js'
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

  /** Creates a key and returns it in clear: the only time it is ever shown. */
  async create (tenant: string, name: string, scopes: Scope[]): Promise<{ key: string, info: ApiKeyInfo }> {
    const { key, hash, prefix } = generateApiKey()
    const row = await this.#db.insertInto('api_keys')
      .values({ id: uuidV7(), tenant, name, scopes, key_hash: hash, key_prefix: prefix, revoked_at: null, revoked_reason: null })
      .returningAll().executeTakeFirstOrThrow()
    await this.#onCreated?.(hash)
    return { key, info: toInfo(row) }
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

  /** Returns the revoked key (with its hash, to tell the other API instances), or undefined. */
  async revoke (id: string, reason: string): Promise<{ info: ApiKeyInfo, hash: Buffer } | undefined> {
    const row = await this.#db.updateTable('api_keys')
      .set({ revoked_at: new Date(), revoked_reason: reason })
      .where('id', '=', id).where('revoked_at', 'is', null)
      .returningAll().executeTakeFirst()
    return row && { info: toInfo(row), hash: row.key_hash }
  }

  async findActiveByHash (hash: Buffer): Promise<ApiKeyInfo | undefined> {
    const row = await this.#db.selectFrom('api_keys').selectAll()
      .where('key_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst()
    return row && toInfo(row)
  }
}
