// `npm run bench`: starts the real API and worker as child processes against a dedicated
// database (audit_bench) and Redis prefix (bench), measures the figures of the speed issue
// together with the ceilings they are compared with, prints a markdown table and writes
// bench/results/<YYYY-MM-DD>.json. Knobs: see bench/README.md.
import { randomBytes } from 'node:crypto'
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { loadConfig } from '../src/config.js'
import { API_NODE_FLAGS } from '../src/api-node-flags.js'
import { createEventQueue } from '../src/queue/create-event-queue.js'
import { buildBaseline, removeBaselineWorktrees, type BaselineBuild } from './baseline-build.js'
import type { BenchContext } from './bench-context.js'
import { databaseUrl, dropDatabase, recreateDatabase } from './bench-database.js'
import { DEFAULT_FIGURES, readBenchOptions } from './bench-options.js'
import { benchPorts } from './bench-ports.js'
import type { BenchResults } from './bench-results.js'
import { createApiKey, migrateBenchDatabase, startApi, startBareServer, startPlainServer } from './bench-services.js'
import { buildRows } from './build-rows.js'
import { stopAllChildren } from './child-service.js'
import { deleteKeysByPrefix } from './delete-keys-by-prefix.js'
import { formatTable } from './format-table.js'
import { machineInfo } from './machine-info.js'
import { measureDrain } from './measure-drain.js'
import { measureCluster } from './measure-cluster.js'
import { measureIngest, type IngestServer } from './measure-ingest.js'
import { measureSustained } from './measure-sustained.js'
import { measureVerification } from './measure-verification.js'
import { measureReads } from './measure-reads.js'
import { measureHeavyReads } from './measure-heavy-reads.js'
import { peakRss } from './peak-rss.js'
import { repoRoot } from './repo-root.js'
import { sampleEvent } from './sample-event.js'
import { startBaselineApi, type BaselineApi } from './start-baseline.js'

const options = readBenchOptions()
const ports = benchPorts(options.port)
const root = repoRoot()
const dbUrl = databaseUrl(options.pgAdminUrl, options.database)
// The service's own knobs (INGEST_BATCH_WINDOW_MS, WORKER_CONCURRENCY, ...) pass through from
// the environment; where it runs and what it touches is the bench's choice. Without a
// configured signing key the bench hands both processes a throwaway one, so that no
// development key is written to the home directory.
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: dbUrl,
  REDIS_URL: options.redisUrl,
  QUEUE_PREFIX: options.queuePrefix,
  HOST: '127.0.0.1',
  PORT: String(options.port),
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'warn',
  // The per-key limit (100,000 a minute by default) would cap the load, not measure the
  // service; the limiter still runs, with a limit the bench does not reach.
  RATE_LIMIT_MAX: process.env.RATE_LIMIT_MAX || '100000000',
  // The worker's metrics listener must not collide with a worker already running here.
  WORKER_METRICS_PORT: process.env.WORKER_METRICS_PORT || String(options.port + 2),
  // Figure 5 probes /health where load balancers should: the API's health thread.
  HEALTH_PORT: process.env.HEALTH_PORT || String(options.port + 3),
  ...(!process.env.SIGNING_KEY && !process.env.SIGNING_KEY_FILE && { SIGNING_KEY: randomBytes(32).toString('hex') })
}
const config = loadConfig(env)
const started = new Date()
const log = (message: string) => {
  process.stderr.write(`[bench +${Math.round((Date.now() - started.getTime()) / 1000)}s] ${message}\n`)
}

const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null })
const queue = createEventQueue({
  name: config.queueName,
  prefix: config.queuePrefix,
  connection: redis,
  attempts: config.jobAttempts,
  backoffMs: config.jobBackoffMs
})
const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]) || undefined
const ctx: BenchContext = { options, env, config, databaseUrl: dbUrl, root, redis, queue, log, apiKeys: {}, ingestTenant: 'bench', redisPid }
const { figures } = options
const figureList = [...figures].sort((a, b) => a - b)
const baselineDatabase = `${options.database}_baseline`

let interrupted = false
process.on('SIGINT', () => {
  if (interrupted) process.exit(130)
  interrupted = true
  log('interrupted: stopping child processes, deleting bench:* keys, the bench database and the baseline worktree')
  stopAllChildren()
    .then(() => removeBaselineWorktrees())
    .then(() => deleteKeysByPrefix(redis, options.queuePrefix))
    .then(() => options.keepDatabase ? undefined : Promise.all([options.database, baselineDatabase].map(name => dropDatabase(options.pgAdminUrl, name))))
    .catch(() => {})
    .finally(() => process.exit(130))
})

const machine = await machineInfo(options.pgAdminUrl, redis)
log(`${machine.cpus} CPUs, node ${machine.node}, PostgreSQL ${machine.postgres.version}, Redis ${machine.redis}; ` +
  `figures ${figureList.join(',')}, runs ${options.runs}, ingest ${options.seconds} s, drain ${options.drainEvents} events, ` +
  `sustained ${options.sustainedSeconds} s x ${options.sustainedRuns}`)

const results: BenchResults = { peakRss: { apiBytes: undefined, apiAfter: {}, workerBytes: [] } }
let baselineBuild: BaselineBuild | undefined
try {
  await deleteKeysByPrefix(redis, options.queuePrefix)
  if (options.baselineRef !== undefined) {
    if (figures.has(1) || figures.has(2)) baselineBuild = await buildBaseline(root, options.baselineRef, log)
    else log('BENCH_BASELINE_REF ignored: the baseline runs in figures 1 and 2 only')
  }

  // The drain recreates the database for each run; the other figures share one.
  if (figures.has(3)) {
    log('figure 3: worker drain vs raw INSERT')
    results.drain = await measureDrain(ctx)
    results.peakRss.workerBytes.push(...results.drain.runs.map(r => r.workerPeakRssBytes))
  } else {
    await recreateDatabase(options.pgAdminUrl, options.database)
    await migrateBenchDatabase(ctx)
  }

  // Keys are made after the last drain run recreated the database.
  try {
    ctx.apiKeys.ingest = await createApiKey(ctx, ctx.ingestTenant, ['events:write'])
    if (results.drain !== undefined) ctx.apiKeys.verify = await createApiKey(ctx, results.drain.tenant, ['events:read'])
  } catch (err) {
    log(`no API keys (${(err as Error).message.split('\n')[0]}); requests go without Authorization`)
  }

  const api = await startApi(ctx)
  const apiPeak = (phase: string) => {
    results.peakRss.apiAfter[phase] = peakRss(api.pid)
    log(`API peak RSS after ${phase}: ${Math.round((results.peakRss.apiAfter[phase] ?? 0) / 2 ** 20)} MB`)
  }
  apiPeak('start')
  const apiBase = `http://127.0.0.1:${options.port}`
  if (figures.has(6) && results.drain !== undefined) {
    log('figure 6: verification vs bare hashing')
    results.verification = await measureVerification(ctx, results.drain.tenant, results.drain.events, apiBase)
    apiPeak('figure 6 (verification)')
  }

  const single = { path: '/audit-events', body: JSON.stringify(sampleEvent()), eventsPerRequest: 1, connections: options.connections, redisPid: ctx.redisPid }
  const batch = {
    path: '/audit-events/batch',
    body: JSON.stringify({ events: Array.from({ length: options.batchSize }, (_, i) => sampleEvent(i)) }),
    eventsPerRequest: options.batchSize,
    connections: options.batchConnections,
    redisPid: ctx.redisPid
  }
  if (figures.has(1) || figures.has(2)) {
    const bare = await startBareServer(ctx, ports.bare)
    const plain = await startPlainServer(ctx, ports.plain)
    let baseline: BaselineApi | undefined
    if (baselineBuild !== undefined) {
      baseline = await startBaselineApi(ctx, baselineBuild, ports, single)
      results.baseline = {
        ref: baselineBuild.ref,
        commit: baselineBuild.commit,
        database: baseline.database,
        keyFrom: baseline.keyFrom,
        nodeFlags: API_NODE_FLAGS,
        ...(baseline.ownNodeFlags !== undefined && { ownNodeFlags: baseline.ownNodeFlags })
      }
      log(`baseline ${baselineBuild.ref} (${baselineBuild.commit.slice(0, 12)}) listens on ${ports.baselineApi}: database ${baseline.database}, key made by the ${baseline.keyFrom}'s CLI`)
    }
    // Service, baseline, bare, plain: the order of every run.
    const servers: IngestServer[] = [
      { name: 'service', port: ports.api, pids: { api: api.pid }, redis: true, queue: true, apiKey: ctx.apiKeys.ingest, children: [api] },
      ...(baseline === undefined ? [] : [{ name: 'baseline', port: ports.baselineApi, pids: { baseline: baseline.api.pid }, redis: true, queue: true, apiKey: baseline.apiKey, children: [baseline.api] }]),
      { name: 'bare', port: ports.bare, pids: { bare: bare.pid }, redis: false, queue: false, children: [bare] },
      { name: 'plain', port: ports.plain, pids: { plain: plain.pid }, redis: true, queue: false, children: [plain] }
    ]
    const against = `bare route, plain implementation${baseline === undefined ? '' : ` and baseline ${baselineBuild!.ref}`}`
    if (figures.has(1)) {
      log(`figure 1: single-event ingest vs ${against}`)
      results.single = await measureIngest(ctx, { ...single, servers })
      apiPeak('figure 1 (single-event ingest)')
    }
    if (figures.has(2)) {
      log(`figure 2: batch ingest vs ${against}`)
      results.batch = await measureIngest(ctx, { ...batch, servers })
      apiPeak('figure 2 (batch ingest)')
    }
    await Promise.all([bare.stop(), plain.stop(), baseline?.api.stop()])
    results.peakRss.baselineApiBytes = baseline?.api.peakRssBytes
    if (baseline !== undefined) log(`baseline API peak RSS: ${Math.round((baseline.api.peakRssBytes ?? 0) / 2 ** 20)} MB`)
  }

  if (figures.has(10)) {
    log(`figure 10: ingest with the API in ${options.clusterWorkers} processes vs 1 (cluster module)`)
    results.cluster = await measureCluster(ctx, ports, { single, batch })
  }

  if (figures.has(4)) {
    log('figures 4 and 5: sustained end to end, /health under load')
    results.sustained = await measureSustained(ctx, api)
    apiPeak('figures 4 and 5 (sustained)')
    results.peakRss.workerBytes.push(...results.sustained.runs.map(r => r.workerPeakRssBytes))
  }
  await api.stop()
  results.peakRss.apiBytes = api.peakRssBytes

  if (figures.has(8)) {
    log(`figure 8: filtered reads at ${options.readRows} events`)
    const queries = await measureReads({ adminUrl: options.pgAdminUrl, database: `${options.database}_reads`, rows: options.readRows, runs: Math.max(3, options.runs), log })
    results.reads = { rows: options.readRows, queries: queries.map(({ plan: _plan, ...q }) => ({ ...q, plan: '' })) }
    if (!options.keepDatabase) await dropDatabase(options.pgAdminUrl, `${options.database}_reads`).catch(() => {})
  }

  if (figures.has(9)) {
    log(`figure 9: /health/live under two verifies and two exports of ${options.heavyRows} rows, ${options.heavyCheckpoints} checkpoints`)
    results.heavyReads = await measureHeavyReads(ctx)
  }
} finally {
  await stopAllChildren()
  await removeBaselineWorktrees()
  await deleteKeysByPrefix(redis, options.queuePrefix).catch(() => {})
  await queue.close().catch(() => {})
  redis.disconnect()
  if (!options.keepDatabase) {
    await dropDatabase(options.pgAdminUrl, options.database).catch(() => {})
    if (baselineBuild !== undefined) await dropDatabase(options.pgAdminUrl, baselineDatabase).catch(() => {})
  }
}

const rows = buildRows(results)
process.stdout.write(`\n${formatTable(rows)}\n\n`)

const date = started.toISOString().slice(0, 10)
const dir = join(root, 'bench', 'results')
mkdirSync(dir, { recursive: true })
// A partial run (BENCH_FIGURES) never overwrites the day's full results.
const partial = DEFAULT_FIGURES.some(f => !figures.has(f)) ? `-figures-${figureList.join(figureList.some(f => f > 9) ? '-' : '')}` : ''
const file = join(dir, `${date}${partial}.json`)
// Secrets and local paths stay out of a file meant to be committed.
const { signingKey: _key, signingKeyFile: _keyFile, databaseUrl: _db, redisUrl: _redis, devKeyDir: _dir, ...rest } = config
const serviceConfig: Record<string, unknown> = { ...rest }
delete serviceConfig.adminApiKey
const json = {
  date: started.toISOString(),
  durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
  machine: { ...machine, loadAverageAtEnd: loadavg().map(l => Math.round(l * 100) / 100) },
  bench: { ...options, figures: figureList, pgAdminUrl: undefined, redisUrl: undefined },
  service: { ...serviceConfig, apiNodeFlags: API_NODE_FLAGS },
  table: rows,
  results
}
writeFileSync(`${file}.tmp`, `${JSON.stringify(json, null, 2)}\n`)
renameSync(`${file}.tmp`, file)
log(`wrote ${file}`)
