import type { BenchContext } from './bench-context.js'
import { assertAlive, type ChildService } from './child-service.js'
import { watchCpu, type CpuShares } from './cpu-usage.js'
import { deleteKeysByPrefix } from './delete-keys-by-prefix.js'
import { runLoad, type LoadResult } from './run-load.js'

export interface IngestRun {
  service: LoadResult
  bare: LoadResult
  /** Events accepted per second (requests x events per request). */
  serviceEvents: number
  bareEvents: number
  /** Jobs the API's micro-batcher made during the run (events per job = accepted / jobs). */
  jobs: number
  /** Who used the CPU during the service run and during the bare run (bench = load generator). */
  serviceCpu: CpuShares
  bareCpu: CpuShares
}

export interface IngestFigure {
  path: string
  eventsPerRequest: number
  connections: number
  bodyBytes: number
  runs: IngestRun[]
}

export interface IngestSetup {
  path: string
  body: string
  eventsPerRequest: number
  connections: number
  api: ChildService
  barePort: number
  bare: ChildService
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
 * The API with no worker running (API + Redis enqueue only) against the bare route, run after
 * run in turn so that drift on a shared machine hits both. The queue and the idempotency keys
 * are deleted after each service run, so every run starts from an empty Redis.
 */
export async function measureIngest (ctx: BenchContext, setup: IngestSetup): Promise<IngestFigure> {
  const { options } = ctx
  const serviceUrl = `http://127.0.0.1:${ctx.config.port}${setup.path}`
  const bareUrl = `http://127.0.0.1:${setup.barePort}${setup.path}`
  const apiKey = ctx.apiKeys.ingest
  const load = (url: string, seconds: number) => runLoad({ url, method: 'POST', body: setup.body, connections: setup.connections, seconds, ...(url === serviceUrl && apiKey !== undefined && { apiKey }) })
  const flush = () => deleteKeysByPrefix(ctx.redis, options.queuePrefix)

  await expectAccepted(serviceUrl, setup.body, apiKey)

  if (options.warmupSeconds > 0) {
    await load(serviceUrl, options.warmupSeconds)
    await flush()
    await load(bareUrl, options.warmupSeconds)
  }
  const runs: IngestRun[] = []
  for (let run = 1; run <= options.runs; run++) {
    let stopCpu = watchCpu({ api: setup.api.pid, redis: setup.redisPid })
    const service = await load(serviceUrl, options.seconds)
    const serviceCpu = stopCpu()
    assertAlive(setup.api)
    const jobs = await ctx.queue.getWaitingCount()
    await flush()
    stopCpu = watchCpu({ bare: setup.bare.pid })
    const bare = await load(bareUrl, options.seconds)
    const bareCpu = stopCpu()
    const r = {
      service,
      bare,
      serviceCpu,
      bareCpu,
      serviceEvents: service.okPerSecond * setup.eventsPerRequest,
      bareEvents: bare.okPerSecond * setup.eventsPerRequest,
      jobs
    }
    runs.push(r)
    ctx.log(`${setup.path} run ${run}/${options.runs}: service ${Math.round(r.serviceEvents)} events/s ` +
      `(p50 ${service.p50} ms, p99 ${service.p99} ms, non-2xx ${service.non2xx}, errors ${service.errors}, ${jobs} jobs), ` +
      `bare ${Math.round(r.bareEvents)} events/s (p50 ${bare.p50} ms, p99 ${bare.p99} ms); ` +
      `CPU cores service run ${JSON.stringify(serviceCpu.cores)} machine ${serviceCpu.machineBusy}, bare run ${JSON.stringify(bareCpu.cores)} machine ${bareCpu.machineBusy}`)
  }
  return {
    path: setup.path,
    eventsPerRequest: setup.eventsPerRequest,
    connections: setup.connections,
    bodyBytes: Buffer.byteLength(setup.body),
    runs
  }
}
