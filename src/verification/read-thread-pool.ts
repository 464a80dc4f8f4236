import { Readable } from 'node:stream'
import { Worker } from 'node:worker_threads'
import type { VerifyResult } from '../core/verify/index.js'
import { catalogError, ReadThreadFailedError, ShuttingDownError } from '../errors.js'
import { threadScript } from '../thread-script.js'
import type { FromReadThread, ReadJobOptions, ReadThreadData, ReadThreadFailure, ToReadThread } from './read-thread-protocol.js'

export type { ReadJobOptions } from './read-thread-protocol.js'

export interface ReadThreadPoolOptions extends ReadThreadData {
  /** Threads at most; each runs one read at a time. */
  size: number
  /** A thread idle this long ends, giving its memory and connections back. */
  idleMs?: number
  /** Creates a thread (default: read-thread.js); tests pass their own to reach it. */
  startThread?: (data: ReadThreadData) => Worker
}

/** The thread as the API runs it: dist/src/verification/read-thread.js (or the .ts through tsx). */
export function startReadThread (data: ReadThreadData): Worker {
  const { script, eval: evaluate } = threadScript(import.meta.url, 'read-thread')
  return new Worker(script, {
    eval: evaluate,
    execArgv: [],
    workerData: data,
    // A page is bounded in bytes and a few are in flight: this is ample, and a runaway read
    // ends its thread (a 503 for that request), not the API.
    resourceLimits: { maxOldGenerationSizeMb: 128 }
  })
}

interface Job {
  onMessage: (message: FromReadThread) => void
  onDeath: (error: Error) => void
}

class ReadThread {
  readonly worker: Worker
  job: Job | undefined
  idleTimer: NodeJS.Timeout | undefined
  dead = false

  constructor (worker: Worker, onExit: (thread: ReadThread) => void) {
    this.worker = worker
    // The pool is closed with the app; a thread must never be what keeps the process alive.
    worker.unref()
    worker.on('message', (message: FromReadThread) => { this.job?.onMessage(message) })
    let reason = 'it exited'
    worker.on('error', err => { reason = err.message })
    worker.on('exit', code => {
      this.dead = true
      this.job?.onDeath(new ReadThreadFailedError(`${reason}, code ${code}`))
      this.job = undefined
      onExit(this)
    })
  }

  send (message: ToReadThread): void {
    if (!this.dead) this.worker.postMessage(message)
  }
}

function rebuild (error: ReadThreadFailure): Error {
  const known = error.code === undefined ? undefined : catalogError(error.code, error.message)
  if (known !== undefined) return known
  return Object.assign(new Error(error.message), error.code !== undefined && { code: error.code })
}

/**
 * Whole-log reads (verify, export) run in a few worker threads, created when first needed:
 * each thread reads the log over its own connections and does all the parsing, hashing and
 * signature checks, so none of it (nor its garbage) lands on the API's event loop. Sized to
 * the read limiter's total, a read rarely waits for a thread (only for one still stopping an
 * abandoned export).
 */
export class ReadThreadPool {
  readonly #options: ReadThreadPoolOptions
  readonly #threads = new Set<ReadThread>()
  readonly #idle: ReadThread[] = []
  readonly #waiting: Array<(thread: ReadThread) => void> = []
  #closed = false

  constructor (options: ReadThreadPoolOptions) {
    this.#options = options
  }

  /** Threads alive (idle or busy). */
  get threads (): number {
    return this.#threads.size
  }

  async verify (options: ReadJobOptions): Promise<VerifyResult> {
    const thread = await this.#take()
    return await new Promise<VerifyResult>((resolve, reject) => {
      thread.job = {
        onMessage: message => {
          if (message.type === 'result') resolve(message.result)
          else if (message.type === 'error') reject(rebuild(message.error))
          else return
          this.#give(thread)
        },
        onDeath: reject
      }
      thread.send({ type: 'verify', options })
    })
  }

  /**
   * The export's NDJSON as a byte stream: the thread makes the next chunk when this stream
   * asks for it (its buffer, and the socket's, have room), so a slow client holds the thread
   * back, not memory. Destroying the stream (the client left) stops the thread's export.
   */
  export (options: ReadJobOptions): Readable {
    let thread: ReadThread | undefined
    let ended = false
    let wanted = false
    const stream = new Readable({
      highWaterMark: 64 * 1024,
      read: () => {
        if (thread === undefined) wanted = true
        else thread.send({ type: 'more' })
      },
      destroy: (err, callback) => {
        if (thread !== undefined && !ended) thread.send({ type: 'cancel' })
        callback(err)
      }
    })
    this.#take().then(taken => {
      thread = taken
      const finish = () => {
        ended = true
        thread!.job = undefined
        this.#give(thread!)
      }
      taken.job = {
        onMessage: message => {
          if (message.type === 'chunk') {
            if (!stream.destroyed) stream.push(Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength))
          } else if (message.type === 'end') {
            finish()
            if (!stream.destroyed) stream.push(null)
          } else if (message.type === 'error') {
            finish()
            stream.destroy(rebuild(message.error))
          }
        },
        onDeath: err => {
          ended = true
          stream.destroy(err)
        }
      }
      taken.send({ type: 'export', options })
      if (stream.destroyed) taken.send({ type: 'cancel' })
      else if (wanted) taken.send({ type: 'more' })
    }, (err: Error) => { stream.destroy(err) })
    return stream
  }

  async #take (): Promise<ReadThread> {
    if (this.#closed) throw new ShuttingDownError()
    const idle = this.#idle.pop()
    if (idle !== undefined) {
      clearTimeout(idle.idleTimer)
      return idle
    }
    if (this.#threads.size < this.#options.size) {
      const { size, idleMs, startThread, ...data } = this.#options
      const thread = new ReadThread((startThread ?? startReadThread)(data), dead => { this.#exited(dead) })
      this.#threads.add(thread)
      return thread
    }
    return await new Promise(resolve => { this.#waiting.push(resolve) })
  }

  #give (thread: ReadThread): void {
    thread.job = undefined
    if (thread.dead) return
    const next = this.#waiting.shift()
    if (next !== undefined) {
      next(thread)
      return
    }
    this.#idle.push(thread)
    thread.idleTimer = setTimeout(() => {
      const at = this.#idle.indexOf(thread)
      if (at < 0) return
      this.#idle.splice(at, 1)
      thread.send({ type: 'close' })
    }, this.#options.idleMs ?? 60_000)
    thread.idleTimer.unref()
  }

  // A thread that died is replaced by starting a fresh one for whoever waits.
  #exited (thread: ReadThread): void {
    this.#threads.delete(thread)
    clearTimeout(thread.idleTimer)
    const at = this.#idle.indexOf(thread)
    if (at >= 0) this.#idle.splice(at, 1)
    if (this.#closed) return
    const next = this.#waiting.shift()
    if (next !== undefined) this.#take().then(next, () => {})
  }

  /** Ends every thread: idle ones close their pools; busy ones get a moment, then are stopped. */
  async close (): Promise<void> {
    this.#closed = true
    await Promise.all([...this.#threads].map(async thread => {
      clearTimeout(thread.idleTimer)
      if (thread.dead) return
      const exited = new Promise(resolve => { thread.worker.once('exit', resolve) })
      thread.send({ type: 'close' })
      const timer = setTimeout(() => { void thread.worker.terminate() }, 2_000)
      await exited
      clearTimeout(timer)
    }))
  }
}
