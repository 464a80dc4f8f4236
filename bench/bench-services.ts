import { join } from 'node:path'
import { runChild, startChild, type ChildService } from './child-service.js'
import { API_NODE_FLAGS } from '../src/api-node-flags.js'
import type { BenchContext } from './bench-context.js'
import { waitUntil } from './wait-until.js'

const cli = (ctx: BenchContext) => join(ctx.root, 'dist', 'src', 'cli.js')

/** `node dist/src/cli.js migrate` against the bench database. */
export async function migrateBenchDatabase (ctx: BenchContext): Promise<void> {
  await runChild('migrate', cli(ctx), ['migrate'], ctx.env)
}

/** An API key made with `node dist/src/cli.js keys create` (the key is printed once, on stdout). */
export async function createApiKey (ctx: BenchContext, tenant: string, scopes: string[]): Promise<string> {
  const out = await runChild('keys', cli(ctx), ['keys', 'create', '--tenant', tenant, '--scopes', scopes.join(','), '--name', `bench ${tenant}`], ctx.env)
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

/** The real worker (`cli.js worker`), resolved once BullMQ lists it as a worker of the queue. */
export async function startWorker (ctx: BenchContext): Promise<ChildService> {
  const before = await ctx.queue.getWorkersCount()
  const worker = startChild('worker', cli(ctx), ['worker'], ctx.env)
  await waitUntil(async () => await ctx.queue.getWorkersCount() > before, 'the worker to connect')
  return worker
}

/** The bare Fastify ceiling (dist/bench/bare-server.js) on `port`. */
export async function startBareServer (ctx: BenchContext, port: number): Promise<ChildService> {
  const bare = startChild('bare', join(ctx.root, 'dist', 'bench', 'bare-server.js'), [], { ...process.env, PORT: String(port) }, { nodeFlags: API_NODE_FLAGS })
  await waitUntil(() => live(`http://127.0.0.1:${port}/health/live`), 'the bare server to listen')
  return bare
}
