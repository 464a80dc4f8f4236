import type { BenchContext } from './bench-context.js'
import type { BenchPorts } from './bench-ports.js'
import type { BenchResults } from './bench-results.js'
import { startClusterApi } from './bench-services.js'
import { measureIngest, type IngestServer, type IngestSetup } from './measure-ingest.js'
import { peakRss } from './peak-rss.js'

type Load = Omit<IngestSetup, 'servers'>

/**
 * Figure 10: figures 1 and 2's loads against the API run by bench/cluster-api.ts in one process
 * and in BENCH_CLUSTER_WORKERS, the two clusters loaded in turn. CPU is the sum over each
 * cluster's primary, its workers and Redis.
 */
export async function measureCluster (ctx: BenchContext, ports: BenchPorts, loads: { single: Load, batch: Load }): Promise<NonNullable<BenchResults['cluster']>> {
  const { clusterWorkers } = ctx.options
  const clusters = [
    { workers: 1, port: ports.clusterOne, ...await startClusterApi(ctx, ports.clusterOne, 1) },
    { workers: clusterWorkers, port: ports.clusterMany, ...await startClusterApi(ctx, ports.clusterMany, clusterWorkers) }
  ]
  const servers: IngestServer[] = clusters.map(c => ({
    name: `cluster-${c.workers}`,
    port: c.port,
    pids: { primary: c.primary.pid, ...Object.fromEntries(c.workerPids.map((pid, i) => [`worker${i + 1}`, pid])) },
    redis: true,
    queue: true,
    apiKey: ctx.apiKeys.ingest,
    children: [c.primary]
  }))
  const single = await measureIngest(ctx, { ...loads.single, servers })
  const batch = await measureIngest(ctx, { ...loads.batch, servers })
  const peakRssBytes = Object.fromEntries(clusters.map(c => [`cluster-${c.workers}`, c.workerPids.map(peakRss)]))
  ctx.log(`figure 10 peak RSS per API process: ${Object.entries(peakRssBytes).map(([name, bytes]) => `${name} ${bytes.map(b => Math.round((b ?? 0) / 2 ** 20)).join(', ')} MB`).join('; ')}`)
  await Promise.all(clusters.map(c => c.primary.stop()))
  return { workers: clusterWorkers, single, batch, peakRssBytes }
}
