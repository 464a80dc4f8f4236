import type { Redis } from 'ioredis'
import type { Config } from '../src/config.js'
import type { EventQueue } from '../src/queue/create-event-queue.js'
import type { BenchOptions } from './bench-options.js'

/** What every figure needs: the knobs, the service's environment and config, Redis and the queue. */
export interface BenchContext {
  options: BenchOptions
  /** The environment the API and worker children get (process.env plus the bench's overrides). */
  env: NodeJS.ProcessEnv
  /** The service configuration those children load from `env`. */
  config: Config
  databaseUrl: string
  root: string
  redis: Redis
  queue: EventQueue
  log: (message: string) => void
  /** API keys made for the run (absent if the service has no `keys` command). */
  apiKeys: { ingest?: string, verify?: string }
  /** redis-server's pid (from INFO), for CPU accounting. */
  redisPid: number | undefined
  /** The tenant of the ingest key: where figures 1, 2 and 4 append. */
  ingestTenant: string
}
