// Entry: the API in several processes sharing one port (figure 10), through Node's cluster
// module. The primary forks BENCH_CLUSTER_WORKERS workers, each running the API's own entry
// (what `cli.js api` runs), and prints `{"workers":[<pid>, ...]}` on stdout once all listen, so
// the bench can read each worker's CPU and memory. Each worker needs listeners of its own for
// HEALTH_PORT and API_METRICS_PORT: worker i (from 0) gets the primary's value + 2i (0 stays 0,
// none). SIGTERM stops the workers gracefully; a worker that dies stops the primary (exit 1),
// so a crash fails the figure instead of halving it.
import cluster from 'node:cluster'
import { ConfigError } from '../src/config.js'

if (cluster.isPrimary) {
  const count = Number(process.env.BENCH_CLUSTER_WORKERS ?? 2)
  const port = Number(process.env.PORT)
  const offset = (name: string, i: number) => {
    const base = Number(process.env[name] ?? 0)
    return base === 0 ? '0' : String(base + 2 * i)
  }
  // The workers' logs go where the API's go (the bench's stderr): stdout is the pid line's.
  cluster.setupPrimary({ stdio: ['ignore', 2, 2, 'ipc'] })
  let stopping = false
  const listening = new Set<number>()
  for (let i = 0; i < count; i++) {
    const worker = cluster.fork({ HEALTH_PORT: offset('HEALTH_PORT', i), API_METRICS_PORT: offset('API_METRICS_PORT', i) })
    // Workers also listen on API_METRICS_PORT through the primary: only PORT counts.
    worker.on('listening', (address) => {
      if (address.port !== port) return
      listening.add(worker.process.pid!)
      if (listening.size === count) process.stdout.write(`${JSON.stringify({ workers: [...listening] })}\n`)
    })
  }
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit()
      return
    }
    process.stderr.write(`cluster-api: worker ${worker.process.pid} exited (${code ?? signal}); stopping\n`)
    stopping = true
    for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM')
    process.exitCode = 1
  })
  const stop = () => {
    stopping = true
    const workers = Object.values(cluster.workers ?? {})
    if (workers.length === 0) process.exit()
    for (const worker of workers) worker?.process.kill('SIGTERM')
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
} else {
  const { main } = await import('../src/server.js')
  main().catch((err: unknown) => {
    process.stderr.write(`cluster-api worker: ${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`)
    process.exit(1)
  })
}
