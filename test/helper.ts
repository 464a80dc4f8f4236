import { once } from 'node:events'
import { randomBytes, type KeyObject } from 'node:crypto'
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Redis } from 'ioredis'
import pg from 'pg'
import type { Kysely } from 'kysely'
import type { InjectOptions } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig, type Config } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { loadSigningKey } from '../src/plugins/load-signing-key.js'
import { createDatabase, type Database } from '../src/store/database.js'
import { migrateToLatest } from '../src/store/migrate-to-latest.js'
import { createWorker } from '../src/worker/create-worker.js'
import type { PendingRecord, QueuedEvent } from '../src/core/chain/index.js'
import type { IngestItem } from '../src/ingest/prepare-event.js'
import { decodeJobEvent, toJobEvent } from '../src/queue/append-job.js'

type Test = { teardown: (fn: () => unknown) => void }

export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
export const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** A port nothing listens on, to simulate an unreachable dependency. */
export const CLOSED_PORT = 1

/** A fresh database with migrations applied, dropped when the test ends. */
export async function createTestDatabase (t: Test): Promise<string> {
  const name = `audit_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`)
  const db = createDatabase({ connectionString: url, max: 1 })
  await migrateToLatest(db)
  await db.destroy()
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL })
    await client.connect()
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await client.end()
  })
  return url
}

/** Removes every Redis key under a test's queue prefix when the test ends. */
export function cleanRedisPrefix (t: Test, prefix: string): void {
  t.teardown(async () => {
    const redis = new Redis(REDIS_URL)
    let cursor = '0'
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await redis.del(...keys)
    } while (cursor !== '0')
    await redis.quit()
  })
}

/** Configuration for one test file: its own database and its own queue prefix. */
export async function testConfig (t: Test, env: Record<string, string> = {}): Promise<Config> {
  const databaseUrl = env.DATABASE_URL ?? await createTestDatabase(t)
  const prefix = env.QUEUE_PREFIX ?? `t${randomBytes(5).toString('hex')}`
  cleanRedisPrefix(t, prefix)
  return loadConfig({ LOG_LEVEL: 'silent', REDIS_URL, SIGNING_KEY: TEST_SIGNING_SEED, ADMIN_API_KEY: TEST_ADMIN_KEY, WORKER_METRICS_PORT: '0', API_METRICS_PORT: '0', HEALTH_TIMEOUT_MS: '3000', ...env, DATABASE_URL: databaseUrl, QUEUE_PREFIX: prefix })
}

/** The bootstrap admin key of test configurations (all scopes, all tenants). */
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef0123456789'
export const ADMIN_AUTH = { authorization: `Bearer ${TEST_ADMIN_KEY}` }

/** A fixed Ed25519 seed for tests, so no development key is written to the home directory. */
export const TEST_SIGNING_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'

/** The private key of TEST_SIGNING_SEED, loaded as the service loads SIGNING_KEY. */
export async function testPrivateKey (): Promise<KeyObject> {
  return (await loadSigningKey({ name: 'audit-service', key: TEST_SIGNING_SEED, devKeyDir: '/nonexistent', logger: createLogger('silent', 'test') })).privateKey
}

export function testEnv (config: Config): Record<string, string> {
  return { DATABASE_URL: config.databaseUrl, REDIS_URL: config.redisUrl, QUEUE_PREFIX: config.queuePrefix, LOG_LEVEL: 'warn', SIGNING_KEY: TEST_SIGNING_SEED, ADMIN_API_KEY: TEST_ADMIN_KEY, WORKER_METRICS_PORT: '0', API_METRICS_PORT: '0' }
}

/**
 * The app, with `inject` sending the bootstrap admin key unless a test sets its own
 * Authorization header (authorization itself is tested in test/routes/auth.test.ts).
 */
export async function buildTestApp (t: Test, config: Config) {
  const app = await buildApp({ config })
  t.teardown(() => app.close())
  const inject = app.inject.bind(app) as (opts: InjectOptions) => ReturnType<typeof app.inject>
  app.inject = ((opts: InjectOptions) => inject({ ...opts, headers: { ...ADMIN_AUTH, ...opts.headers } })) as typeof app.inject
  return app
}

export async function startTestWorker (t: Test, config: Config) {
  const worker = await createWorker(config, createLogger('silent', 'test-worker'))
  t.teardown(() => worker.close())
  return worker
}

/** Runs `audit-service <command>` from the TypeScript sources as a real child process. */
export function spawnCli (command: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', command], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit']
  })
}

/** Runs `audit-service <command> ...args` to completion asynchronously, capturing its output. */
export async function runCli (command: string, args: string[], env: Record<string, string> = {}): Promise<{ status: number | null, stdout: string, stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', command, ...args], { cwd: ROOT, env: { ...process.env, ...env } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const [status] = await once(child, 'close') as [number | null]
  return { status, stdout, stderr }
}

export function openDatabase (t: Test, url: string): Kysely<Database> {
  const db = createDatabase({ connectionString: url, max: 2 })
  t.teardown(() => db.destroy())
  return db
}

/**
 * Waits until the queue holds no job that could still write a row (none waiting, active,
 * delayed or prioritized): from then on the rows are all there will be, so a test can assert
 * that nothing else was stored without sleeping "long enough".
 */
export async function waitForQueueIdle (queue: { getJobCounts (...types: Array<'waiting' | 'active' | 'delayed' | 'prioritized'>): Promise<Record<string, number>> }, what = 'the queue to drain'): Promise<void> {
  await waitFor(async () => Object.values(await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized')).every(n => n === 0), { what })
}

/** Polls until `check` returns a truthy value; no fixed sleeps in tests. */
export async function waitFor<T> (check: () => Promise<T> | T, { timeoutMs = 20_000, intervalMs = 25, what = 'condition' } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
}

export function sampleEvent (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    occurred_at: '2026-11-26T12:00:00Z',
    action: 'user.login',
    actor: { type: 'user', id: 'u_1', name: 'Ada' },
    target: { type: 'session', id: 's_1' },
    outcome: 'success',
    source: { service: 'auth' },
    metadata: { method: 'password' },
    ...overrides
  }
}

export async function countRows (db: Kysely<Database>, tenant = 'default'): Promise<number> {
  const row = await db.selectFrom('audit_events').select(eb => eb.fn.countAll<string>().as('n')).where('tenant', '=', tenant).executeTakeFirstOrThrow()
  return Number(row.n)
}

/**
 * Holds every whole-log read (verify, export) in place: a transaction locks the checkpoints
 * table, which each read takes early, so "still running" is a fact the test controls, not a
 * matter of timing. `waiting(n)` is truthy once n reads wait on the lock (seen from another
 * connection: the locking transaction's view of pg_stat_activity is frozen); `release()` lets
 * them go (also done at teardown).
 */
export async function holdWholeLogReads (t: Test, databaseUrl: string) {
  const locker = new pg.Client({ connectionString: databaseUrl })
  await locker.connect()
  t.teardown(() => locker.end())
  await locker.query('BEGIN')
  await locker.query('LOCK TABLE checkpoints IN ACCESS EXCLUSIVE MODE')
  let locked = true
  const release = async () => {
    if (!locked) return
    locked = false
    await locker.query('ROLLBACK')
  }
  t.teardown(release)
  const watcher = new pg.Client({ connectionString: databaseUrl })
  await watcher.connect()
  t.teardown(() => watcher.end())
  const waiting = async (n = 1) => {
    const { rows } = await watcher.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'audit-service-api-reads' AND wait_event_type = 'Lock'")
    return rows[0]!.n >= n ? true : undefined
  }
  return { waiting, release }
}

/** The record a prepared event will be stored as (but for `seq`), as an object. */
export const recordOf = (item: IngestItem): PendingRecord => JSON.parse(item.canonical) as PendingRecord

/** A prepared event as the worker reads it from a job. */
export const queuedOf = (item: IngestItem): QueuedEvent => decodeJobEvent(toJobEvent(item))
