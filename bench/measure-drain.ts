import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import type { BenchContext } from './bench-context.js'
import { recreateDatabase } from './bench-database.js'
import { migrateBenchDatabase, startWorker } from './bench-services.js'
import { assertAlive } from './child-service.js'
import { watchCpu, type CpuShares } from './cpu-usage.js'
import { deleteKeysByPrefix } from './delete-keys-by-prefix.js'
import { prefillQueue, prepareJobs, type PrefillResult } from './prefill-queue.js'
import { rawInsertCeiling, type RawInsertResult } from './raw-insert-ceiling.js'

export interface DrainRun {
  prefill: PrefillResult
  /** From resuming the queue (worker connected and idle) to the last row committed. */
  seconds: number
  eventsPerSecond: number
  /** Append transactions (distinct stored_at: now() is the transaction's start time). */
  transactions: number
  failedJobs: number
  workerPeakRssBytes: number | undefined
  /** Who used the CPU while the worker drained. */
  cpu: CpuShares
  raw: RawInsertResult
}

export interface DrainFigure {
  tenant: string
  events: number
  jobEvents: number
  runs: DrainRun[]
}

/**
 * Figure 3. Each run starts from a fresh database (so the rows and indexes of earlier runs
 * do not slow later ones) and an empty queue. The queue is paused while it is filled and while
 * the worker process starts; the clock starts when it is resumed and stops when the tenant's
 * chain head reaches the number of events (one-row poll; count(*) confirms at the end).
 * The last run's rows stay for the verification figure.
 */
export async function measureDrain (ctx: BenchContext): Promise<DrainFigure> {
  const { options } = ctx
  const tenant = 'bench-drain'
  const events = options.drainEvents
  const runs: DrainRun[] = []
  const preparing = performance.now()
  const jobs = prepareJobs(tenant, events, options.drainJobEvents)
  ctx.log(`drain: ${jobs.length} jobs of ${options.drainJobEvents} events prepared in ${((performance.now() - preparing) / 1000).toFixed(1)} s`)
  for (let run = 1; run <= options.runs; run++) {
    await recreateDatabase(options.pgAdminUrl, options.database)
    await migrateBenchDatabase(ctx)
    await deleteKeysByPrefix(ctx.redis, options.queuePrefix)
    const client = new pg.Client({ connectionString: ctx.databaseUrl })
    await client.connect()
    try {
      await ctx.queue.pause()
      const prefill = await prefillQueue(ctx.queue, jobs)
      ctx.log(`drain run ${run}/${options.runs}: ${prefill.jobs} jobs added in ${prefill.seconds.toFixed(1)} s`)
      const worker = await startWorker(ctx)
      const stopCpu = watchCpu({ worker: worker.pid, redis: ctx.redisPid })
      const started = performance.now()
      await ctx.queue.resume()
      const timeoutMs = Math.max(120_000, events * 5)
      let stored = 0
      let lastProgress = performance.now()
      while (stored < events) {
        await sleep(50)
        assertAlive(worker)
        const head = await client.query('SELECT size FROM chain_heads WHERE tenant = $1', [tenant])
        const size = head.rows.length === 0 ? 0 : Number(head.rows[0].size)
        if (size > stored) lastProgress = performance.now()
        stored = size
        if (performance.now() - lastProgress > 30_000 || performance.now() - started > timeoutMs) {
          throw new Error(`drain stalled at ${stored}/${events} rows (failed jobs: ${await ctx.queue.getFailedCount()})`)
        }
      }
      const seconds = (performance.now() - started) / 1000
      const cpu = stopCpu()
      const failedJobs = await ctx.queue.getFailedCount()
      await worker.stop()
      const check = await client.query('SELECT count(*)::int AS n, count(DISTINCT stored_at)::int AS tx FROM audit_events WHERE tenant = $1', [tenant])
      if (check.rows[0].n !== events) throw new Error(`expected ${events} rows, count(*) says ${check.rows[0].n}`)
      // Fresh table, no statistics yet: without them every keyset page below (and /verify's)
      // is planned as a sequential scan and sort. Autovacuum would get there; the bench won't wait.
      await client.query('ANALYZE audit_events')
      const raw = await rawInsertCeiling(client, tenant, ctx.config.appendBatchMax)
      const r: DrainRun = {
        prefill,
        seconds,
        eventsPerSecond: events / seconds,
        transactions: check.rows[0].tx,
        failedJobs,
        workerPeakRssBytes: worker.peakRssBytes,
        cpu,
        raw
      }
      runs.push(r)
      ctx.log(`drain run ${run}/${options.runs}: worker ${Math.round(r.eventsPerSecond)} events/s ` +
        `(${seconds.toFixed(1)} s, ${r.transactions} transactions, ${failedJobs} failed jobs), ` +
        `raw insert ${Math.round(raw.rowsPerSecond)} rows/s (${raw.seconds.toFixed(1)} s, ${raw.statements} statements); ` +
        `CPU cores while draining ${JSON.stringify(cpu.cores)} machine ${cpu.machineBusy}`)
    } finally {
      await client.end()
    }
  }
  await deleteKeysByPrefix(ctx.redis, options.queuePrefix)
  return { tenant, events, jobEvents: options.drainJobEvents, runs }
}
