import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT, waitFor } from '../helper.js'
import { onExitCleanup } from './exit-cleanup.js'

export type ServiceKind = 'api' | 'worker'

export interface ServiceProcess {
  name: string
  kind: ServiceKind
  child: ChildProcess
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  exited: Promise<number | string>
  logFile: string
}

/**
 * The API and worker processes of one fault scenario, started as `node <cli.js> api|worker`
 * (the suite's transpiled copy, see transpiled-service.ts; `node --import tsx src/cli.ts` as
 * spawnCli does when none is given), each writing its log to a file of its own so that TAP
 * output stays clean and a failure can show what a process said.
 */
export class ServiceProcesses {
  readonly #env: Record<string, string>
  readonly #logDir: string
  readonly #cli: string[]
  readonly #all = new Set<ServiceProcess>()
  /** Processes the suite stopped on purpose; any other exit is a crash. */
  readonly #stopped = new Set<ServiceProcess>()
  readonly #unregister: () => void
  #started = 0

  constructor (options: { env: Record<string, string>, logDir: string, cli?: string }) {
    this.#env = options.env
    this.#logDir = options.logDir
    this.#cli = options.cli === undefined ? ['--import', 'tsx', 'src/cli.ts'] : [options.cli]
    this.#unregister = onExitCleanup(() => {
      for (const p of this.#all) if (isRunning(p)) p.child.kill('SIGKILL')
    })
  }

  get apiUrl (): string {
    return `http://127.0.0.1:${this.#env.PORT}`
  }

  /** Starts the API and waits until it answers /health/live. */
  async startApi (extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    const api = this.#spawn('api', extraEnv)
    await waitFor(async () => {
      if (!isRunning(api)) throw new Error(`${api.name} exited during start-up:\n${tail(api.logFile)}`)
      return (await fetch(`${this.apiUrl}/health/live`).catch(() => undefined))?.ok
    }, { timeoutMs: 60_000, intervalMs: 100, what: `${api.name} to answer /health/live` })
    return api
  }

  /**
   * Starts a worker. It is ready once BullMQ lists one more worker connection on the queue;
   * the caller passes that check (`countWorkers`) because it owns the queue handle.
   */
  async startWorker (countWorkers: () => Promise<number>, extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
    const before = await countWorkers()
    const worker = this.#spawn('worker', extraEnv)
    await waitFor(async () => {
      if (!isRunning(worker)) throw new Error(`${worker.name} exited during start-up:\n${tail(worker.logFile)}`)
      return await countWorkers() > before
    }, { timeoutMs: 60_000, intervalMs: 100, what: `${worker.name} to register with the queue` })
    return worker
  }

  /** Every process this scenario started, running or not. */
  all (): ServiceProcess[] {
    return [...this.#all]
  }

  /** Processes that exited although the suite did not stop them. */
  crashed (): ServiceProcess[] {
    return [...this.#all].filter(p => !isRunning(p) && !this.#stopped.has(p))
  }

  running (kind?: ServiceKind): ServiceProcess[] {
    return [...this.#all].filter(p => isRunning(p) && (kind === undefined || p.kind === kind))
  }

  /** Sends a signal and waits for the exit; SIGKILL after `timeoutMs` if it is still there. */
  async stop (p: ServiceProcess, signal: NodeJS.Signals, timeoutMs = 30_000): Promise<number | string> {
    if (!isRunning(p)) return await p.exited
    this.#stopped.add(p)
    p.child.kill(signal)
    const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs)
    try {
      return await p.exited
    } finally {
      clearTimeout(timer)
    }
  }

  /** Kills whatever still runs (teardown, also after a failed assertion). */
  async stopAll (): Promise<void> {
    await Promise.all(this.running().map(p => this.stop(p, 'SIGKILL')))
    this.#stopped.clear()
    this.#unregister()
  }

  #spawn (kind: ServiceKind, extraEnv: Record<string, string>): ServiceProcess {
    const name = `${kind}-${++this.#started}`
    const logFile = join(this.#logDir, `${name}.log`)
    const fd = openSync(logFile, 'a')
    const child = spawn(process.execPath, [...this.#cli, kind], {
      cwd: ROOT,
      env: { ...process.env, ...this.#env, ...extraEnv },
      stdio: ['ignore', fd, fd]
    })
    closeSync(fd)
    const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string)
    const p = { name, kind, child, exited, logFile }
    this.#all.add(p)
    return p
  }
}

export function isRunning (p: ServiceProcess): boolean {
  return p.child.exitCode === null && p.child.signalCode === null
}

/** The last lines of a log, for failure messages. */
export function tail (file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}
