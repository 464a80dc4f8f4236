import { parseArgs } from 'node:util'
import { PgKeyStore } from '../auth/pg-key-store.js'
import { isScope, SCOPES, type Scope } from '../auth/scopes.js'
import { loadConfig } from '../config.js'
import { createRedisConnection } from '../queue/redis-connection.js'
import { createDatabase } from '../store/database.js'

const usage = `usage:
  audit-service keys create --tenant <tenant> --scopes <scope,...> [--name <name>]
  audit-service keys list [--tenant <tenant>]
  audit-service keys revoke <key id> [--reason <text>]

scopes: ${SCOPES.join(', ')}. Uses DATABASE_URL (and REDIS_URL to tell running API instances
about a revocation at once).`

/** `audit-service keys`: manage API keys directly in the database. Returns the exit code. */
export async function keys (args: string[]): Promise<number> {
  const [action, ...rest] = args
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { tenant: { type: 'string' }, scopes: { type: 'string' }, name: { type: 'string' }, reason: { type: 'string' } }
  })
  const config = loadConfig()
  const db = createDatabase({ connectionString: config.databaseUrl, max: 1 })
  const store = new PgKeyStore(db)
  try {
    if (action === 'create' && values.tenant !== undefined && values.scopes !== undefined) {
      const scopes = values.scopes.split(',').map(s => s.trim())
      const bad = scopes.filter(s => !isScope(s))
      if (bad.length > 0 || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(values.tenant)) {
        process.stderr.write(`invalid ${bad.length > 0 ? `scope ${bad.join(', ')}` : 'tenant name'}\n${usage}\n`)
        return 2
      }
      const { key, info } = await store.create(values.tenant, values.name ?? `${values.tenant} key`, scopes as Scope[])
      process.stdout.write(`${key}\n`)
      process.stderr.write(`created key ${info.id} for tenant ${info.tenant} with scopes ${info.scopes.join(',')}. It is shown only this once.\n`)
      return 0
    }
    if (action === 'list') {
      for (const k of await store.list(values.tenant)) {
        process.stdout.write(`${k.id}  ${k.tenant}  ${k.prefix}…  ${k.scopes.join(',')}  ${k.name}  ${k.revoked_at === null ? 'active' : `revoked ${k.revoked_at}`}\n`)
      }
      return 0
    }
    if (action === 'revoke' && positionals.length === 1) {
      const revoked = await store.revoke(positionals[0]!, values.reason ?? 'revoked from the command line')
      if (revoked === undefined) {
        process.stderr.write(`no active key ${positionals[0]}\n`)
        return 1
      }
      const redis = createRedisConnection(config.redisUrl, 'producer')
      try {
        await redis.publish(`${config.queuePrefix}:keys:revoked`, revoked.hash.toString('hex'))
      } catch {
        process.stderr.write(`warning: Redis unreachable; running API instances drop the key within API_KEY_CACHE_MS (${config.apiKeyCacheMs} ms)\n`)
      } finally {
        redis.disconnect()
      }
      process.stdout.write(`revoked ${revoked.info.id}\n`)
      return 0
    }
    process.stderr.write(usage + '\n')
    return 2
  } finally {
    await db.destroy()
  }
}
