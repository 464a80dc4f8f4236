import pg from 'pg'
import type { BenchContext } from './bench-context.js'
import { live, startBareServer, startWorker } from './bench-services.js'
import { assertAlive, type ChildService } from './child-service.js'
import { watchCpu, type CpuShares } from './cpu-usage.js'
import { deleteKeysByPrefix } from './delete-keys-by-prefix.js'
import { expectAccepted } from './measure-ingest.js'
import { runLoad, type LoadResult } from './run-load.js'
import { runLoadInChild } from './run-load-in-child.js'
import { sampleEvent } from './sample-event.js'
import { waitUntil } from './wait-until.js'

export interface SustainedSample {
  /** Seconds since the load started. */
  t: number
  /** Events answered 202 so far. */
  accepted: number
  /** Rows stored so far for the run's tenant. */
  stored: number
  /** Jobs waiting in the queue. */
  waitingJobs: number
}

export interface SustainedRun {
  load: LoadResult
  /** GET /health on the API port (PORT), as in results from before HEALTH_PORT. */
  health: LoadResult
  /** /health/live (no I/O) probed the same way at the same time: the API's own event-loop delay. */
  live: LoadResult
  /** GET /health on HEALTH_PORT (the API's health thread), probed at the same time; absent when HEALTH_PORT is 0. */
  healthThread?: LoadResult
  /**
   * /health/live of an otherwise idle bare Fastify process, probed the same way at the same
   * time: the machine's floor for this probe (scheduling, virtual CPUs waking up), which no
   * health endpoint can beat. Absent in results from before it was measured.
   */
  floor?: LoadResult
  acceptedPerSecond: number
  storedPerSecond: number
  /** Events accepted but not yet stored when the load ended. */
  backlogEvents: number
  backlogJobs: number
  /** Backlog growth over the second half, in events per second (about 0 when bounded). */
  backlogGrowthPerSecond: number
  bounded: boolean
  workerPeakRssBytes: number | undefined
  cpu: CpuShares
  samples: SustainedSample[]
}

export interface SustainedFigure {
  seconds: number
  connections: number
  healthRate: number
  /** /health on the API port with no load, same probe: the reference for the under-load p99. */
  healthIdle: LoadResult
  /** The API's HEALTH_PORT (absent when 0: then only the API port was probed). */
  healthPort?: number
  /** /health on HEALTH_PORT with no load. */
  healthThreadIdle?: LoadResult
  /** The floor process (see SustainedRun.floor) with no load. */
  floorIdle?: LoadResult
  runs: SustainedRun[]
}

/**
 * Figures 4 and 5. The API and a fresh worker together under the single-event load for
 * `sustainedSeconds`, with the backlog sampled every second; meanwhile separate processes
 * probe GET /health on HEALTH_PORT (figure 5), and GET /health and /health/live on the API
 * port, each at a low fixed rate. Bounded means the backlog grew by less than 5% of
 * what was accepted over the second half of the run.
 */
export async function measureSustained (ctx: BenchContext, api: ChildService): Promise<SustainedFigure> {
  const { options } = ctx
  const base = `http://127.0.0.1:${ctx.config.port}`
  const { healthPort } = ctx.config
  const healthBase = healthPort === 0 ? undefined : `http://127.0.0.1:${healthPort}`
  const probe = (seconds: number, path = '/health', on = base) => runLoadInChild(`probe ${on}${path}`, { url: `${on}${path}`, connections: 1, seconds, overallRate: options.healthRate })
  await deleteKeysByPrefix(ctx.redis, options.queuePrefix)
  // The first /health opens the API's PostgreSQL connection: not part of the idle reference.
  for (let i = 0; i < 5; i++) await (await fetch(`${base}/health`)).arrayBuffer()
  const healthIdle = await probe(5)
  ctx.log(`/health idle (API port): p50 ${healthIdle.p50} ms, p99 ${healthIdle.p99} ms`)
  let healthThreadIdle: LoadResult | undefined
  if (healthBase !== undefined) {
    await waitUntil(() => live(`${healthBase}/health`), 'the health port to serve a reading')
    healthThreadIdle = await probe(5, '/health', healthBase)
    ctx.log(`/health idle (HEALTH_PORT ${healthPort}): p50 ${healthThreadIdle.p50} ms, p99 ${healthThreadIdle.p99} ms`)
  }

  // The bare server's port is free once figures 1 and 2 are done.
  const floorPort = options.port + 1
  const floorServer = await startBareServer(ctx, floorPort)
  const floorBase = `http://127.0.0.1:${floorPort}`
  const floorIdle = await probe(5, '/health/live', floorBase)
  ctx.log(`floor idle (a bare Fastify process, /health/live): p50 ${floorIdle.p50} ms, p99 ${floorIdle.p99} ms`)

  const client = new pg.Client({ connectionString: ctx.databaseUrl })
  await client.connect()
  try {
    const runs: SustainedRun[] = []
    for (let run = 1; run <= options.sustainedRuns; run++) {
      await deleteKeysByPrefix(ctx.redis, options.queuePrefix)
      // The tenant is the ingest key's (or the default one without keys); count rows from here.
      const tenant = ctx.apiKeys.ingest !== undefined ? ctx.ingestTenant : ctx.config.defaultTenant
      const size = async () => {
        const head = await client.query('SELECT size FROM chain_heads WHERE tenant = $1', [tenant])
        return head.rows.length === 0 ? 0 : Number(head.rows[0].size)
      }
      const body = JSON.stringify(sampleEvent(run))
      const url = `${base}/audit-events`
      await expectAccepted(url, body, ctx.apiKeys.ingest)
      const worker = await startWorker(ctx)
      await waitUntil(async () => (await ctx.queue.getJobCounts('waiting', 'active')).waiting === 0, 'the preflight event to be stored')
      const sizeAtStart = await size()
      const storedRows = async () => await size() - sizeAtStart
      let accepted = 0
      const samples: SustainedSample[] = []
      const started = performance.now()
      const sample = async () => {
        const t = (performance.now() - started) / 1000
        const acceptedNow = accepted
        try {
          const [stored, waitingJobs] = await Promise.all([storedRows(), ctx.queue.getWaitingCount()])
          samples.push({ t, accepted: acceptedNow, stored, waitingJobs })
        } catch (err) {
          ctx.log(`sample at ${t.toFixed(0)} s failed: ${(err as Error).message}`)
        }
      }
      const stopCpu = watchCpu({ api: api.pid, worker: worker.pid, redis: ctx.redisPid })
      let sampling = Promise.resolve()
      const timer = setInterval(() => { sampling = sampling.then(sample, sample) }, 1000)
      const [load, health, live, floor, healthThread] = await Promise.all([
        runLoad({ url, method: 'POST', body, connections: options.connections, seconds: options.sustainedSeconds, ...(ctx.apiKeys.ingest !== undefined && { apiKey: ctx.apiKeys.ingest }) }, () => { accepted++ }),
        probe(options.sustainedSeconds),
        probe(options.sustainedSeconds, '/health/live'),
        probe(options.sustainedSeconds, '/health/live', floorBase),
        healthBase === undefined ? undefined : probe(options.sustainedSeconds, '/health', healthBase)
      ])
      clearInterval(timer)
      const cpu = stopCpu()
      await sampling
      await sample()
      assertAlive(api)
      assertAlive(worker)
      await worker.stop()

      const last = samples[samples.length - 1]!
      const mid = samples.reduce((best, s) => Math.abs(s.t - last.t / 2) < Math.abs(best.t - last.t / 2) ? s : best)
      const backlog = (s: SustainedSample) => s.accepted - s.stored
      const growth = backlog(last) - backlog(mid)
      const acceptedSecondHalf = last.accepted - mid.accepted
      const r: SustainedRun = {
        load,
        health,
        live,
        ...(healthThread !== undefined && { healthThread }),
        floor,
        acceptedPerSecond: load.ok / load.seconds,
        storedPerSecond: last.stored / last.t,
        backlogEvents: backlog(last),
        backlogJobs: last.waitingJobs,
        backlogGrowthPerSecond: growth / (last.t - mid.t),
        bounded: growth <= 0.05 * acceptedSecondHalf,
        workerPeakRssBytes: worker.peakRssBytes,
        cpu,
        samples
      }
      runs.push(r)
      ctx.log(`sustained run ${run}/${options.sustainedRuns}: accepted ${Math.round(r.acceptedPerSecond)}/s, stored ${Math.round(r.storedPerSecond)}/s, ` +
        `backlog ${r.backlogEvents} events (${r.backlogJobs} jobs), growth ${Math.round(r.backlogGrowthPerSecond)} events/s, ` +
        `${r.bounded ? 'bounded' : 'NOT bounded'}; non-2xx ${load.non2xx}; ` +
        (healthThread === undefined ? '' : `HEALTH_PORT /health p99 ${healthThread.p99} ms (non-2xx ${healthThread.non2xx}), `) +
        `API port /health p99 ${health.p99} ms (non-2xx ${health.non2xx}), /health/live p99 ${live.p99} ms; floor p99 ${floor.p99} ms; ` +
        `CPU cores ${JSON.stringify(cpu.cores)} machine ${cpu.machineBusy}`)
      await deleteKeysByPrefix(ctx.redis, options.queuePrefix)
    }
    return {
      seconds: options.sustainedSeconds,
      connections: options.connections,
      healthRate: options.healthRate,
      healthIdle,
      ...(healthThreadIdle !== undefined && { healthPort, healthThreadIdle }),
      floorIdle,
      runs
    }
  } finally {
    await client.end()
    await floorServer.stop()
  }
}
