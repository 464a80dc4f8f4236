import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { PostedReading } from './answer-health-probe.js'
import type { HealthThreadData, HealthThreadMessage } from './health-thread.js'

/** A reading as the main port's /health would answer it. */
export type HealthReading = Omit<PostedReading, 'at'>

export interface HealthListenerOptions {
  host: string
  port: number
  /** How long the main thread may stay silent before the thread answers 503 (see answerHealthProbe). */
  staleAfterMs: number
  log: { error: (obj: object, msg: string) => void }
}

/**
 * Compiled, this module sits next to dist/src/health/health-thread.js, which the worker loads
 * as is. Run from the sources (tests: .ts through a loader), there is no .js beside it, and
 * Node 20 does not carry ESM loader hooks into a worker; so the thread is started through
 * tsx's require hook there (a dev dependency, never loaded from dist/).
 */
function threadEntry (): { script: string | URL, eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { script: new URL('./health-thread.js', import.meta.url), eval: false }
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs')
  const thread = fileURLToPath(new URL('./health-thread.ts', import.meta.url))
  return { script: `require(${JSON.stringify(tsx)}); require(${JSON.stringify(thread)})`, eval: true }
}

/**
 * The main thread's side of the health port: starts the thread, posts it the latest reading
 * on a timer, stops it. The main thread stays the source of truth; the thread only repeats
 * what it was told, and says 503 when it stops being told.
 */
export class HealthListener {
  readonly #options: HealthListenerOptions
  #worker: Worker | undefined
  #timer: NodeJS.Timeout | undefined
  #latest: HealthReading | undefined
  #reading = false
  #held = false
  #closing = false

  constructor (options: HealthListenerOptions) {
    this.#options = options
  }

  /** Resolves with the bound port once the thread listens; rejects, naming HEALTH_PORT, when it cannot. */
  async start (): Promise<number> {
    const { host, port, staleAfterMs, log } = this.#options
    const { script, eval: evaluate } = threadEntry()
    const worker = new Worker(script, {
      eval: evaluate,
      // None of the process's --import/--require hooks: the thread needs none of them, and
      // an agent loaded there would not fit in its heap.
      execArgv: [],
      workerData: { host, port, staleAfterMs } satisfies HealthThreadData,
      // The API must stay under 150 MB RSS: the thread holds one small JSON text and a few
      // sockets, and gets a heap to match (an OOM ends the thread, not the process).
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16, stackSizeMb: 1 }
    })
    // The thread reports on the main thread; it must never be what keeps the process alive.
    worker.unref()
    let bound: number
    try {
      bound = await new Promise<number>((resolve, reject) => {
        worker.once('message', (message: HealthThreadMessage) => {
          if (message.type === 'listening') resolve(message.port)
          else reject(new Error(message.message))
        })
        worker.once('error', reject)
        worker.once('exit', code => reject(new Error(`the health thread exited with code ${code} before listening`)))
      })
    } catch (err) {
      await worker.terminate()
      throw new Error(`HEALTH_PORT: the health listener cannot listen on ${host}:${port}: ${(err as Error).message}`, { cause: err })
    }
    worker.removeAllListeners()
    worker.on('message', (message: HealthThreadMessage) => {
      if (message.type === 'error') log.error({ code: message.code }, `health thread (HEALTH_PORT ${bound}): ${message.message}`)
    })
    worker.on('error', err => log.error({ err }, `health thread (HEALTH_PORT ${bound}) failed`))
    // Not restarted: a health port that stops answering takes this instance out of the load
    // balancer, which is the safe direction; the main port (and its /health) keeps serving.
    worker.on('exit', code => {
      if (this.#closing) return
      clearInterval(this.#timer)
      log.error({ code }, `health thread exited: HEALTH_PORT ${bound} no longer answers and load balancers probing it will take this instance out; it is not restarted (restart the instance)`)
    })
    this.#worker = worker
    return bound
  }

  /**
   * Posts the latest reading every `everyMs`, stamped with the time of posting: the stamp is
   * the main loop's heartbeat, so a reading that takes long (a dependency timing out) does not
   * look like a stalled loop. `read` runs one at a time and never delays a post.
   */
  report (read: () => Promise<HealthReading>, everyMs: number): void {
    const post = () => {
      if (this.#latest !== undefined) this.#worker?.postMessage({ ...this.#latest, at: Date.now() } satisfies PostedReading)
    }
    const tick = () => {
      post()
      if (this.#reading) return
      this.#reading = true
      read().then(reading => {
        if (this.#held) return
        this.#latest = reading
        post()
      }, (err: unknown) => {
        this.#options.log.error({ err }, 'health reading for HEALTH_PORT failed')
      }).finally(() => { this.#reading = false })
    }
    clearInterval(this.#timer)
    this.#timer = setInterval(tick, everyMs).unref()
    tick()
  }

  /** Posts `reading` now and from then on instead of fresh ones (shutting down). */
  hold (reading: HealthReading): void {
    this.#held = true
    this.#latest = reading
    this.#worker?.postMessage({ ...reading, at: Date.now() } satisfies PostedReading)
  }

  /** Stops posting and ends the thread; its port is free when this resolves. */
  async close (): Promise<void> {
    this.#closing = true
    clearInterval(this.#timer)
    await this.#worker?.terminate()
    this.#worker = undefined
  }
}
