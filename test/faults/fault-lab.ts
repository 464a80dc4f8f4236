import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import type { RedisClient } from '../../src/queue/redis-connection.js'
import { createEventQueue, type EventQueue } from '../../src/queue/create-event-queue.js'
import { createRedisConnection } from '../../src/queue/redis-connection.js'
import { createDatabase, type Database } from '../../src/store/database.js'
import { migrateToLatest } from '../../src/store/migrate-to-latest.js'
import { TEST_ADMIN_KEY, TEST_SIGNING_SEED } from '../helper.js'
import { EventStream, type EventStreamOptions } from './event-stream.js'
import { onExitCleanup } from './exit-cleanup.js'
import { freePort } from './free-port.js'
import { PgInstance } from './pg-instance.js'
import { RedisInstance } from './redis-instance.js'
import { ServiceProcesses, type ServiceProcess } from './service-processes.js'
import { transpileService } from './transpiled-service.js'

type Test = { teardown: (fn: () => unknown) => void }

/**
 * The suite's own PostgreSQL and Redis, shared by the fault scenarios (each gets its own
 * database and queue prefix), and a directory for the process logs.
 */
export class FaultLab {
  readonly pg: PgInstance
  readonly redis: RedisInstance
  readonly logDir: string
  readonly #service: { cli: string, remove: () => void } | undefined
  #scenarios = 0
  #unregister: () => void

  private constructor (pg: PgInstance, redis: RedisInstance, logDir: string) {
    this.pg = pg
    this.redis = redis
    this.logDir = logDir
    // FAULT_USE_TSX=1 runs the sources through tsx instead (slower to start, same code).
    this.#service = process.env.FAULT_USE_TSX === '1' ? undefined : transpileService()
    this.#unregister = onExitCleanup(() => rmSync(logDir, { recursive: true, force: true }))
  }

  static async start (): Promise<FaultLab> {
    const [pg, redis] = await Promise.allSettled([PgInstance.start(), RedisInstance.start()])
    if (pg.status === 'rejected' || redis.status === 'rejected') {
      if (pg.status === 'fulfilled') await pg.value.destroy()
      if (redis.status === 'fulfilled') await redis.value.destroy()
      throw pg.status === 'rejected' ? pg.reason : (redis as PromiseRejectedResult).reason
    }
    return new FaultLab(pg.value, redis.value, mkdtempSync(join(tmpdir(), 'audit-faults-logs-')))
  }

  /** A fresh database (migrated) and queue prefix, with its processes stopped at teardown. */
  async scenario (t: Test, name: string, env: Record<string, string> = {}): Promise<FaultScenario> {
    // A fault that failed half-way may have left a server stopped: the next one starts clean.
    if (!this.pg.running) await this.pg.startServer()
    if (!this.redis.running) await this.redis.startServer()
    const n = ++this.#scenarios
    const databaseUrl = await this.pg.createDatabase(`fault_${n}`)
    const migrator = createDatabase({ connectionString: databaseUrl, max: 1 })
    await migrateToLatest(migrator)
    await migrator.destroy()
    const logDir = join(this.logDir, `${n}-${name}`)
    const scenario = new FaultScenario({
      name,
      logDir,
      ...(this.#service !== undefined && { cli: this.#service.cli }),
      env: {
        DATABASE_URL: databaseUrl,
        REDIS_URL: this.redis.url,
        QUEUE_PREFIX: `f${n}`,
        HOST: '127.0.0.1',
        PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
        SIGNING_KEY: TEST_SIGNING_SEED,
        ADMIN_API_KEY: TEST_ADMIN_KEY,
        CHECKPOINT_INTERVAL_SECONDS: '2',
        WORKER_METRICS_PORT: '0', // several workers on one host: no metrics listener
        API_METRICS_PORT: '0',
        ...env
      }
    })
    t.teardown(() => scenario.close())
    return scenario
  }

  async destroy (): Promise<void> {
    await Promise.allSettled([this.pg.destroy(), this.redis.destroy()])
    this.#service?.remove()
    this.#unregister()
    if (process.env.FAULT_KEEP_LOGS === undefined) rmSync(this.logDir, { recursive: true, force: true })
  }
}

/** One fault's world: its database, queue, API and workers, and handles to inspect them. */
export class FaultScenario {
  readonly name: string
  readonly env: Record<string, string>
  readonly processes: ServiceProcesses
  readonly db: Kysely<Database>
  readonly queue: EventQueue
  readonly redis: RedisClient
  readonly #queueConnection: RedisClient
  api: ServiceProcess | undefined
  readonly #streams: EventStream[] = []
  readonly #replaced = new Set<ServiceProcess>()

  constructor (options: { name: string, env: Record<string, string>, logDir: string, cli?: string }) {
    this.name = options.name
    this.env = options.env
    mkdirSync(options.logDir, { recursive: true })
    this.processes = new ServiceProcesses({ env: options.env, logDir: options.logDir, ...(options.cli !== undefined && { cli: options.cli }) })
    this.db = createDatabase({ connectionString: options.env.DATABASE_URL!, max: 3, connectionTimeoutMillis: 2000 })
    // Commands wait across an outage instead of failing (like the worker's connection).
    this.#queueConnection = createRedisConnection(options.env.REDIS_URL!, 'worker')
    this.redis = this.#queueConnection
    this.queue = createEventQueue({ name: 'audit-events', prefix: options.env.QUEUE_PREFIX!, connection: this.#queueConnection, attempts: 1, backoffMs: 1 })
    this.queue.on('error', () => {})
  }

  get apiUrl (): string {
    return this.processes.apiUrl
  }

  async startApi (): Promise<ServiceProcess> {
    this.api = await this.processes.startApi()
    return this.api
  }

  async startWorker (extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    return await this.processes.startWorker(() => this.queue.getWorkersCount(), extraEnv)
  }

  /**
   * The API and `workers` worker processes. Workers start one after the other: each is ready
   * when the queue lists one more worker connection than before it started.
   */
  async startAll (workers = 2): Promise<ServiceProcess[]> {
    const api = this.startApi()
    const started = await this.startWorkers(workers)
    await api
    return started
  }

  async startWorkers (n: number): Promise<ServiceProcess[]> {
    const started: ServiceProcess[] = []
    for (let i = 0; i < n; i++) started.push(await this.startWorker())
    return started
  }

  /**
   * Starts a new process for each one that crashed since the last call, so that the checks
   * after a fault can still run (the crash itself is reported by settleAndCheck).
   */
  async replaceCrashed (): Promise<ServiceProcess[]> {
    const crashed = this.processes.crashed().filter(p => !this.#replaced.has(p))
    for (const p of crashed) {
      this.#replaced.add(p)
      if (p.kind === 'api') await this.startApi()
      else await this.startWorker()
    }
    return crashed
  }

  stream (options: Omit<EventStreamOptions, 'baseUrl'>): EventStream {
    const stream = new EventStream({ baseUrl: () => this.apiUrl, ...options })
    this.#streams.push(stream)
    return stream
  }

  async close (): Promise<void> {
    await Promise.all(this.#streams.map(s => s.stop()))
    await this.processes.stopAll()
    // Bounded: if a fault failed while Redis was stopped, closing must not wait for it.
    await Promise.race([this.queue.close().catch(() => {}), new Promise(resolve => setTimeout(resolve, 5000).unref())])
    this.#queueConnection.disconnect()
    await this.db.destroy()
  }
}
