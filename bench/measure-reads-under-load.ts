import { monitorEventLoopDelay, performance } from 'node:perf_hooks'

export interface ReadsUnderLoadOptions {
  /** A listening API, e.g. http://127.0.0.1:3000. */
  base: string
  tenant: string
  rows: number
  headers: Record<string, string>
  verifies?: number
  exports?: number
  /** Pause between two /health/live probes. */
  probeGapMs?: number
}

export interface ReadsUnderLoadFigure {
  rows: number
  seconds: number
  verifies: Array<{ status: number, body: Record<string, unknown> }>
  exports: Array<{ status: number, bytes: number, tail: string }>
  health: { probes: number, failures: number, p50: number, p99: number, max: number }
  /** What this process held its loop for (and waited for a CPU), in ms: only meaningful when the API runs in it. */
  loopDelay: { p99: number, max: number }
}

/**
 * Runs whole-log verifications and exports at once against a listening API and probes
 * /health/live over real HTTP the whole time: the figure of issue 14 (the probe's p99 must
 * stay under 50 ms), used by test/hostile/reads-under-load.test.ts and `npm run bench`.
 */
export async function measureReadsUnderLoad (options: ReadsUnderLoadOptions): Promise<ReadsUnderLoadFigure> {
  const { base, tenant, rows, headers } = options
  const verify = async () => {
    const res = await fetch(`${base}/verify?tenant=${encodeURIComponent(tenant)}&to_seq=${rows}`, { headers })
    return { status: res.status, body: await res.json() as Record<string, unknown> }
  }
  // Read as it comes and dropped, as a client saving to disk would.
  const exportLog = async () => {
    const res = await fetch(`${base}/audit-events/export?tenant=${encodeURIComponent(tenant)}&to_seq=${rows}`, { headers })
    let bytes = 0
    let tail = ''
    for await (const chunk of res.body!) {
      bytes += (chunk as Uint8Array).length
      tail = (tail + Buffer.from(chunk as Uint8Array).toString('utf8')).slice(-200)
    }
    return { status: res.status, bytes, tail }
  }

  let running = true
  let failures = 0
  const latencies: number[] = []
  const probe = (async () => {
    while (running) {
      const t0 = performance.now()
      try {
        const res = await fetch(`${base}/health/live`)
        await res.arrayBuffer()
        if (res.status !== 200) failures++
      } catch {
        failures++
      }
      latencies.push(performance.now() - t0)
      await new Promise(resolve => setTimeout(resolve, options.probeGapMs ?? 10))
    }
  })()

  const loopDelay = monitorEventLoopDelay({ resolution: 5 })
  loopDelay.enable()
  const started = performance.now()
  const [verifies, exports] = await Promise.all([
    Promise.all(Array.from({ length: options.verifies ?? 2 }, verify)),
    Promise.all(Array.from({ length: options.exports ?? 2 }, exportLog))
  ])
  const seconds = (performance.now() - started) / 1000
  running = false
  await probe
  loopDelay.disable()

  latencies.sort((a, b) => a - b)
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))] ?? Number.NaN
  return {
    rows,
    seconds,
    verifies,
    exports,
    health: { probes: latencies.length, failures, p50: at(0.5), p99: at(0.99), max: latencies[latencies.length - 1] ?? Number.NaN },
    loopDelay: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 }
  }
}
