import { Worker } from 'node:worker_threads'
import type { PostedReading } from './answer-health-probe.js'
import type { HealthThreadData, HealthThreadMessage } from './health-thread.js'
import { threadScript } from '../thread-script.js'

/** A reading as the main port's /health would answer it. */
export type HealthReading = Omit<PostedReading, 'at'>

export interface HealthListenerOptions {
  host: string
  port: number
  /** How long the main thread may stay silent before the thread answers 503 (see answerHealthProbe). */
  staleAfterMs: number
  log: { error: (obj: object, msg: string) => void, info: (obj: object, msg: string) => void }
  /** Told of each thread started (tests end one from outside, as a crash would). */
  onThread?: (thread: Worker) => void
}

/** First wait before restarting a thread that died; doubles up to the maximum while it keeps dying. */
const RESTART_DELAY_MS = 1000
const MAX_RESTART_DELAY_MS = 30_000
/** A thread that ran this long before dying is restarted after the first delay again. */
const STABLE_AFTER_MS = 60_000

/** The thread as the API runs it: dist/src/health/health-thread.js (or the .ts through tsx). */
function startHealthThread (data: HealthThreadData): Worker {
  const { script, eval: evaluate } = threadScript(import.meta.url, 'health-thread')
  return new Worker(script, {
    eval: evaluate,
    // None of the process's --import/--require hooks: the thread needs none of them, and
    // an agent loaded there would not fit in its heap.
    execArgv: [],
    workerData: data,
    // The API must stay under 150 MB RSS: the thread holds one small JSON text and a few
    // sockets, and gets a heap to match (an OOM ends the thread, not the process).
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16, stackSizeMb: 1 }
  })
}

/**
 * The main thread's side of the health port: starts the thread, posts it the latest reading
 * on a timer, stops it. The main thread stays the source of truth; the thread only repeats
 * what it was told, and says 503 when it stops being told.
 */
export class HealthListener {
  readonly #options: HealthListenerOptions
  #worker: Worker | undefined
  #bound = 0
  #startedAt = 0
  #restartDelay = RESTART_DELAY_MS
  #restartTimer: NodeJS.Timeout | undefined
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
    const { host, port } = this.#options
    try {
      return await this.#spawn(port)
    } catch (err) {
      throw new Error(`HEALTH_PORT: the health listener cannot listen on ${host}:${port}: ${(err as Error).message}`, { cause: err })
    }
  }

  async #spawn (port: number): Promise<number> {
    const { host, staleAfterMs, log } = this.#options
    const worker = startHealthThread({ host, port, staleAfterMs })
    this.#options.onThread?.(worker)
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
      if (this.#closing) throw new Error('closed while starting')
    } catch (err) {
      await worker.terminate()
      throw err
    }
    this.#bound = bound
    worker.removeAllListeners()
    worker.on('message', (message: HealthThreadMessage) => {
      if (message.type === 'error') log.error({ code: message.code }, `health thread (HEALTH_PORT ${bound}): ${message.message}`)
    })
    worker.on('error', err => log.error({ err }, `health thread (HEALTH_PORT ${bound}) failed`))
    worker.on('exit', code => { this.#exited(code) })
    this.#worker = worker
    this.#startedAt = Date.now()
    this.#post()
    return bound
  }

  // Restarted on the same port, after a delay that grows while the thread keeps dying. Until
  // it is back the port does not answer, which takes this instance out of the load balancer:
  // the safe direction; the main port (and its /health) keeps serving.
  #exited (code: number): void {
    this.#worker = undefined
    if (this.#closing) return
    if (Date.now() - this.#startedAt >= STABLE_AFTER_MS) this.#restartDelay = RESTART_DELAY_MS
    this.#options.log.error({ code }, `health thread exited: HEALTH_PORT ${this.#bound} does not answer until it is restarted in ${this.#restartDelay} ms`)
    this.#scheduleRestart()
  }

  #scheduleRestart (): void {
    const delay = this.#restartDelay
    this.#restartDelay = Math.min(delay * 2, MAX_RESTART_DELAY_MS)
    this.#restartTimer = setTimeout(() => {
      this.#spawn(this.#bound).then(
        () => { this.#options.log.info({}, `health thread restarted: HEALTH_PORT ${this.#bound} answers again`) },
        (err: unknown) => {
          if (this.#closing) return
          this.#options.log.error({ err }, `health thread could not be restarted on HEALTH_PORT ${this.#bound}; trying again in ${this.#restartDelay} ms`)
          this.#scheduleRestart()
        })
    }, delay).unref()
  }

  /**
   * Posts the latest reading every `everyMs`, stamped with the time of posting: the stamp is
   * the main loop's heartbeat, so a reading that takes long (a dependency timing out) does not
   * look like a stalled loop. `read` runs one at a time and never delays a post.
   */
  report (read: () => Promise<HealthReading>, everyMs: number): void {
    const post = () => { this.#post() }
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

  #post (): void {
    if (this.#latest !== undefined) this.#worker?.postMessage({ ...this.#latest, at: Date.now() } satisfies PostedReading)
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
    clearTimeout(this.#restartTimer)
    await this.#worker?.terminate()
    this.#worker = undefined
  }
}
