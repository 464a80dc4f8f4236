import type { BenchContext } from './bench-context.js'
import { assertAlive, type ChildService } from './child-service.js'
import { watchCpu, type CpuShares } from './cpu-usage.js'
import { deleteKeysByPrefix } from './delete-keys-by-prefix.js'
import { runLoad, type LoadResult } from './run-load.js'

/** One server an ingest figure loads: the service, the baseline, a ceiling or a cluster. */
export interface IngestServer {
  /** `service`, `baseline`, `bare`, `plain`, `cluster-1`, `cluster-2`, ...: the key of its runs. */
  name: string
  port: number
  /** Its own processes (the API; a cluster's primary and workers), named for the CPU record. */
  pids: Record<string, number>
  /** Its work includes Redis: Redis's CPU is counted with its own, and its keys are deleted after each run. */
  redis: boolean
  /** It enqueues BullMQ jobs: the waiting jobs are counted after each run. */
  queue: boolean
  apiKey?: string | undefined
  /** Children that must still be alive after each run (a crash must not read as a slow run). */
  children: ChildService[]
}

/** One server's run: what autocannon saw and what the CPU did meanwhile. */
export interface ServerRun {
  load: LoadResult
  /** Events accepted per second (requests x events per request). */
  events: number
  cpu: CpuShares
  /** Cores' worth of CPU of the server's own processes (summed), and of Redis when it counts (else 0). */
  serverCores: number
  redisCores: number
  /** Jobs the API's micro-batcher made during the run (events per job = accepted / jobs); queue servers only. */
  jobs?: number
}

export interface IngestFigure {
  path: string
  eventsPerRequest: number
  connections: number
  bodyBytes: number
  /** The servers in the order each run loaded them. */
  servers: string[]
  runs: Array<Record<string, ServerRun>>
}

export interface IngestSetup {
  path: string
  body: string
  eventsPerRequest: number
  connections: number
  servers: IngestServer[]
  redisPid: number | undefined
}

/** One request before the load: a service that refuses the bench's requests must stop the bench, not score 0. */
export async function expectAccepted (url: string, body: string, apiKey: string | undefined): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...(apiKey !== undefined && { authorization: `Bearer ${apiKey}` }) }
  })
  const text = await res.text()
  if (res.status !== 202) throw new Error(`POST ${url} answered ${res.status}, not 202: ${text.slice(0, 500)}`)
}

/**
 * Each server loaded in turn, run after run, so that drift on a shared machine hits all of
 * them alike (the API with no worker running: API + Redis enqueue only). Redis keys under the
 * bench prefix (queue, idempotency keys, the plain server's list) are deleted after each run
 * of a server that uses Redis, so every run starts from an empty Redis.
 */
export async function measureIngest (ctx: BenchContext, setup: IngestSetup): Promise<IngestFigure> {
  const { options } = ctx
  const url = (server: IngestServer) => `http://127.0.0.1:${server.port}${setup.path}`
  const load = (server: IngestServer, seconds: number) => runLoad({ url: url(server), method: 'POST', body: setup.body, connections: setup.connections, seconds, ...(server.apiKey !== undefined && { apiKey: server.apiKey }) })
  const flush = () => deleteKeysByPrefix(ctx.redis, options.queuePrefix)

  for (const server of setup.servers) await expectAccepted(url(server), setup.body, server.apiKey)
  await flush()
  if (options.warmupSeconds > 0) {
    for (const server of setup.servers) {
      await load(server, options.warmupSeconds)
      if (server.redis) await flush()
    }
  }
  const runs: IngestFigure['runs'] = []
  for (let run = 1; run <= options.runs; run++) {
    const results: Record<string, ServerRun> = {}
    for (const server of setup.servers) {
      const stopCpu = watchCpu({ ...server.pids, ...(server.redis && { redis: setup.redisPid }) })
      const result = await load(server, options.seconds)
      const cpu = stopCpu()
      for (const child of server.children) assertAlive(child)
      const jobs = server.queue ? await ctx.queue.getWaitingCount() : undefined
      if (server.redis) await flush()
      results[server.name] = {
        load: result,
        events: result.okPerSecond * setup.eventsPerRequest,
        cpu,
        serverCores: Object.keys(server.pids).reduce((sum, name) => sum + (cpu.cores[name] ?? 0), 0),
        redisCores: server.redis ? cpu.cores.redis ?? 0 : 0,
        ...(jobs !== undefined && { jobs })
      }
    }
    runs.push(results)
    ctx.log(`${setup.path} run ${run}/${options.runs}: ` + setup.servers.map(({ name }) => {
      const r = results[name]!
      const { load: l } = r
      return `${name} ${Math.round(r.events)} events/s (p50 ${l.p50} ms, p99 ${l.p99} ms` +
        `${l.non2xx + l.errors > 0 ? `, non-2xx ${l.non2xx}, errors ${l.errors}` : ''}${r.jobs === undefined ? '' : `, ${r.jobs} jobs`}; ` +
        `cores ${JSON.stringify(r.cpu.cores)}, machine ${r.cpu.machineBusy})`
    }).join('; '))
  }
  return {
    path: setup.path,
    eventsPerRequest: setup.eventsPerRequest,
    connections: setup.connections,
    bodyBytes: Buffer.byteLength(setup.body),
    servers: setup.servers.map(s => s.name),
    runs
  }
}
