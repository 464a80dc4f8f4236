import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { peakRss } from './peak-rss.js'

/** A process the bench started: stopped with SIGTERM (SIGKILL after a grace), peak RSS kept. */
export interface ChildService {
  readonly name: string
  readonly pid: number
  readonly process: ChildProcess
  /** VmHWM read just before the stop signal, in bytes. */
  peakRssBytes: number | undefined
  stop (): Promise<void>
}

const running = new Set<ChildService>()

export interface StartChildOptions {
  /** `pipe` to read the child's stdout; by default it goes to the bench's stderr. */
  stdout?: 'stderr' | 'pipe'
  /** Node/V8 flags before the script, e.g. API_NODE_FLAGS for the API. */
  nodeFlags?: readonly string[]
}

/**
 * Starts `node [...nodeFlags] <script> ...args` with `env`. Its stderr, and its stdout unless
 * piped, go to the bench's stderr so that the table on stdout stays clean.
 */
export function startChild (name: string, script: string, args: string[], env: NodeJS.ProcessEnv, options: StartChildOptions = {}): ChildService {
  const { stdout = 'stderr', nodeFlags = [] } = options
  const child = spawn(process.execPath, [...nodeFlags, script, ...args], { env, stdio: ['ignore', stdout === 'pipe' ? 'pipe' : 2, 2] })
  if (child.pid === undefined) throw new Error(`${name}: could not spawn ${script}`)
  const exited = once(child, 'exit')
  exited.catch(() => {}) // a spawn error surfaces as an exit that never comes: stop() times out
  const service: ChildService = {
    name,
    pid: child.pid,
    process: child,
    peakRssBytes: undefined,
    async stop () {
      running.delete(service)
      if (child.exitCode !== null || child.signalCode !== null) return
      service.peakRssBytes = peakRss(child.pid!) ?? service.peakRssBytes
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    }
  }
  running.add(service)
  return service
}

/** Throws if the child has exited (a crash during a figure must not be read as a slow run). */
export function assertAlive (service: ChildService): void {
  const { exitCode, signalCode } = service.process
  if (exitCode !== null || signalCode !== null) throw new Error(`${service.name} (pid ${service.pid}) exited: ${exitCode ?? signalCode}`)
}

/** Stops every child still running; used in `finally` and on SIGINT. */
export async function stopAllChildren (): Promise<void> {
  await Promise.allSettled([...running].map(service => service.stop()))
}

/** Runs `node <script> ...args` to completion and returns its stdout; rejects on a non-zero exit. */
export async function runChild (name: string, script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const service = startChild(name, script, args, env, { stdout: 'pipe' })
  const chunks: Buffer[] = []
  service.process.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk))
  const [code, signal] = await once(service.process, 'exit') as [number | null, string | null]
  running.delete(service)
  const out = Buffer.concat(chunks).toString('utf8')
  if (code !== 0) throw new Error(`${name} failed: ${code ?? signal}${out === '' ? '' : `; its output ends: ${out.slice(-2000)}`}`)
  return out
}
