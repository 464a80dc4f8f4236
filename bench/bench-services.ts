import { join } from 'node:path'
import { runChild, startChild, type ChildService } from './child-service.js'
import { API_NODE_FLAGS } from '../src/api-node-flags.js'
import type { BenchContext } from './bench-context.js'
import { waitUntil } from './wait-until.js'

const cli = (ctx: BenchContext) => join(ctx.root, 'dist', 'src', 'cli.js')

/** Another build's CLI (the baseline's) and the environment it runs with; the service's by default. */
export interface CliChoice {
  cli?: string
  env?: NodeJS.ProcessEnv
}

/** `node dist/src/cli.js migrate` against the bench database. */
export async function migrateBenchDatabase (ctx: BenchContext, use: CliChoice = {}): Promise<void> {
  await runChild('migrate', use.cli ?? cli(ctx), ['migrate'], use.env ?? ctx.env)
}

/** An API key made with `node dist/src/cli.js keys create` (the key is printed once, on stdout). */
export async function createApiKey (ctx: BenchContext, tenant: string, scopes: string[], use: CliChoice = {}): Promise<string> {
  const out = await runChild('keys', use.cli ?? cli(ctx), ['keys', 'create', '--tenant', tenant, '--scopes', scopes.join(','), '--name', `bench ${tenant}`], use.env ?? ctx.env)
  const key = out.trim()
  if (!/^[\x21-\x7e]+$/.test(key)) throw new Error(`keys create printed no key: ${JSON.stringify(out)}`)
  return key
}

/** Whether `url` answers 200 (its body read), false on any error. */
export async function live (url: string): Promise<boolean> {
  try {
    const res = await fetch(url)
    await res.arrayBuffer()
    return res.status === 200
  } catch {
    return false
  }
}

/** The real API (`cli.js api`), resolved once it answers /health/live. */
export async function startApi (ctx: BenchContext): Promise<ChildService> {
  const api = startChild('api', cli(ctx), ['api'], ctx.env, { nodeFlags: API_NODE_FLAGS })
  await waitUntil(() => live(`http://127.0.0.1:${ctx.config.port}/health/live`), 'the API to listen')
  return api
}

/**
 * The real worker (`cli.js worker`), resolved once BullMQ lists it as a worker of the queue.
 * `BENCH_WORKER_NODE_FLAGS` (space-separated) go before the script, e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof` for a profile of each worker process, written when it stops.
 */
export async function startWorker (ctx: BenchContext): Promise<ChildService> {
  const before = await ctx.queue.getWorkersCount()
  const nodeFlags = process.env.BENCH_WORKER_NODE_FLAGS?.split(' ').filter(f => f !== '') ?? []
  const worker = startChild('worker', cli(ctx), ['worker'], ctx.env, { nodeFlags })
  await waitUntil(async () => await ctx.queue.getWorkersCount() > before, 'the worker to connect')
  return worker
}

/** The bare Fastify ceiling (dist/bench/bare-server.js) on `port`. */
export async function startBareServer (ctx: BenchContext, port: number): Promise<ChildService> {
  const bare = startChild('bare', join(ctx.root, 'dist', 'bench', 'bare-server.js'), [], { ...process.env, PORT: String(port) }, { nodeFlags: API_NODE_FLAGS })
  await waitUntil(() => live(`http://127.0.0.1:${port}/health/live`), 'the bare server to listen')
  return bare
}

/** The plain implementation of ingest's work (dist/bench/plain-server.js) on `port`, its Redis keys under `bench:plain:`. */
export async function startPlainServer (ctx: BenchContext, port: number): Promise<ChildService> {
  const env = { ...process.env, PORT: String(port), REDIS_URL: ctx.options.redisUrl, PLAIN_KEY_PREFIX: `${ctx.options.queuePrefix}:plain`, PLAIN_TENANT: ctx.ingestTenant }
  const plain = startChild('plain', join(ctx.root, 'dist', 'bench', 'plain-server.js'), [], env, { nodeFlags: API_NODE_FLAGS })
  await waitUntil(() => live(`http://127.0.0.1:${port}/health/live`), 'the plain server to listen')
  return plain
}

/** Another build's API (`<cli> api`, the baseline's) with `env`, resolved once it answers /health/live. */
export async function startOtherApi (name: string, cliPath: string, env: NodeJS.ProcessEnv, nodeFlags: readonly string[] = API_NODE_FLAGS): Promise<ChildService> {
  const api = startChild(name, cliPath, ['api'], env, { nodeFlags })
  await waitUntil(() => live(`http://127.0.0.1:${env.PORT}/health/live`), `the ${name} API to listen`)
  return api
}

/** The API in `workers` processes sharing `port` (dist/bench/cluster-api.js), with its workers' pids. */
export async function startClusterApi (ctx: BenchContext, port: number, workers: number): Promise<{ primary: ChildService, workerPids: number[] }> {
  // Each worker's health thread and metrics listener get ports of their own (cluster-api.ts).
  const own = (name: string, offset: number) => ctx.env[name] === '0' ? '0' : String(port + offset)
  const env = { ...ctx.env, PORT: String(port), HEALTH_PORT: own('HEALTH_PORT', 1), API_METRICS_PORT: own('API_METRICS_PORT', 2), BENCH_CLUSTER_WORKERS: String(workers) }
  const primary = startChild(`cluster of ${workers}`, join(ctx.root, 'dist', 'bench', 'cluster-api.js'), [], env, { stdout: 'pipe', nodeFlags: API_NODE_FLAGS })
  let out = ''
  primary.process.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString('utf8') })
  const line = await waitUntil(() => out.includes('\n') ? out.slice(0, out.indexOf('\n')) : undefined, `the cluster of ${workers} to listen`)
  const workerPids = (JSON.parse(line) as { workers: number[] }).workers
  await waitUntil(() => live(`http://127.0.0.1:${port}/health/live`), `the cluster of ${workers} to answer`)
  return { primary, workerPids }
}
