import { randomUUID } from 'node:crypto'
import { hostname, userInfo } from 'node:os'
import { parseArgs } from 'node:util'
import { keyChangeDetails, type KeyChange } from '../auth/key-change-event.js'
import { CREATED_PREFIX } from '../auth/key-resolver.js'
import { PgKeyStore, type KeyChangeRecorder } from '../auth/pg-key-store.js'
import { isScope, SCOPES, type Scope } from '../auth/scopes.js'
import { loadConfig, type Config } from '../config.js'
import { compileScrubber } from '../ingest/scrub-secrets.js'
import { AuditServiceError } from '../errors.js'
import { prepareEvent } from '../ingest/prepare-event.js'
import { createEventQueue, eventQueueOptions } from '../queue/create-event-queue.js'
import { EventProducer, eventProducerOptions } from '../ingest/event-producer.js'
import { createRedisConnection } from '../queue/redis-connection.js'
import { createDatabase } from '../store/database.js'

const usage = `usage:
  audit-service keys create --tenant <tenant> --scopes <scope,...> [--name <name>]
  audit-service keys list [--tenant <tenant>]
  audit-service keys revoke <key id> [--reason <text>]

scopes: ${SCOPES.join(', ')}. Uses DATABASE_URL, and REDIS_URL (with QUEUE_PREFIX and QUEUE_NAME)
to put audit.key.create / audit.key.revoke on the tenant's chain and to tell running API
instances about a revocation at once. If that event cannot be queued, nothing is changed.`

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
  // Running API instances may remember this hash as unknown (tried before it existed): tell them.
  const store = new PgKeyStore(db, { onCreated: async hash => { await announce(config, CREATED_PREFIX + hash.toString('hex')) } })
  try {
    if (action === 'create' && values.tenant !== undefined && values.scopes !== undefined) {
      const scopes = values.scopes.split(',').map(s => s.trim())
      const bad = scopes.filter(s => !isScope(s))
      if (bad.length > 0 || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(values.tenant)) {
        process.stderr.write(`invalid ${bad.length > 0 ? `scope ${bad.join(', ')}` : 'tenant name'}\n${usage}\n`)
        return 2
      }
      const { key, info } = await withKeyEvents(config, record => store.create(values.tenant!, values.name ?? `${values.tenant} key`, scopes as Scope[], record('audit.key.create')))
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
      const reason = values.reason ?? 'revoked from the command line'
      const revoked = await withKeyEvents(config, record => store.revoke(positionals[0]!, reason, record('audit.key.revoke', reason)))
      if (revoked === undefined) {
        process.stderr.write(`no active key ${positionals[0]}\n`)
        return 1
      }
      if (!await announce(config, revoked.hash.toString('hex'))) {
        process.stderr.write(`warning: Redis unreachable; running API instances drop the key within API_KEY_CACHE_MS (${config.apiKeyCacheMs} ms)\n`)
      }
      process.stdout.write(`revoked ${revoked.info.id}\n`)
      return 0
    }
    process.stderr.write(usage + '\n')
    return 2
  } catch (err) {
    if (!(err instanceof AuditServiceError) || err.statusCode !== 503) throw err
    process.stderr.write(`nothing changed: the key's event could not be queued (${err.message})\n`)
    return 1
  } finally {
    await db.destroy()
  }
}

/**
 * Runs a key change with a recorder that queues its event on the key's tenant's chain, as the
 * API does for POST /keys: same producer, same record. The change commits only once its event
 * is queued. The actor is the operator's account on this machine.
 */
async function withKeyEvents<T> (config: Config, change: (record: (action: KeyChange, reason?: string) => KeyChangeRecorder) => Promise<T>): Promise<T> {
  const redis = createRedisConnection(config.redisUrl, 'producer')
  const queue = createEventQueue(eventQueueOptions(config, redis))
  queue.on('error', () => {})
  // One event per change, sent at once: no window to gather others in.
  const producer = new EventProducer({ ...eventProducerOptions(config, queue, redis), batchWindowMs: 0 })
  const actor = { type: 'operator', id: `${osUser()}@${hostname()}`, name: 'audit-service keys (command line)' }
  const scrub = compileScrubber({ extraKeys: config.scrubExtraKeys, extraPatterns: config.scrubExtraPatterns })
  try {
    return await change((action, reason) => async info => {
      const { target, metadata } = keyChangeDetails(info, reason)
      const event = { occurred_at: new Date().toISOString(), action, actor, target, outcome: 'success' as const, source: { service: 'audit-service' }, metadata }
      await producer.submit([prepareEvent(event, { tenant: info.tenant, requestId: randomUUID(), receivedAt: new Date().toISOString(), scrub })])
    })
  } finally {
    await producer.close()
    await queue.close().catch(() => {})
    redis.disconnect()
  }
}

function osUser (): string {
  try {
    return userInfo().username
  } catch {
    return `uid ${process.getuid?.() ?? 'unknown'}`
  }
}

/** Publishes a key change on the channel every API instance listens to; false if Redis is away. */
async function announce (config: Config, message: string): Promise<boolean> {
  const redis = createRedisConnection(config.redisUrl, 'producer')
  try {
    await redis.publish(`${config.queuePrefix}:keys:revoked`, message)
    return true
  } catch {
    return false
  } finally {
    redis.disconnect()
  }
}
