import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { onExitCleanup } from './exit-cleanup.js'
import { freePort } from './free-port.js'

/**
 * A Redis server of the suite's own (the shared one on 6379 is never touched), configured as
 * docs/configuration.md asks for production: AOF on, `appendfsync always`, `noeviction`, no RDB snapshots.
 *
 * What "stop Redis" means here: `stop()` sends SHUTDOWN, Redis's own orderly stop (what
 * SIGTERM also does): it stops answering, fsyncs the AOF and exits; `start()` replays the AOF
 * from the same directory. With `appendfsync always` every write is in the AOF, fsynced,
 * before Redis answers it, so even a SIGKILL would lose nothing that was acknowledged; the
 * suite uses the orderly stop because that is what an operator's restart or a failover does,
 * and it still takes the server away from every client for the whole outage.
 */
export class RedisInstance {
  readonly dir: string
  readonly port: number
  #child: ChildProcess | undefined
  #unregister: () => void

  private constructor (dir: string, port: number) {
    this.dir = dir
    this.port = port
    this.#unregister = onExitCleanup(() => this.#destroySync())
  }

  static async start (): Promise<RedisInstance> {
    const instance = new RedisInstance(mkdtempSync(join(tmpdir(), 'audit-faults-redis-')), await freePort())
    try {
      await instance.startServer()
      return instance
    } catch (err) {
      await instance.destroy()
      throw err
    }
  }

  get url (): string {
    return `redis://127.0.0.1:${this.port}`
  }

  get running (): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
  }

  async startServer (): Promise<void> {
    if (this.running) throw new Error('redis is already running')
    const child = spawn('redis-server', [
      '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir,
      '--save', '', '--appendonly', 'yes', '--appendfsync', 'always',
      '--maxmemory-policy', 'noeviction', '--logfile', join(this.dir, 'redis.log')
    ], { stdio: 'ignore' })
    this.#child = child
    const deadline = Date.now() + 30_000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}; see ${join(this.dir, 'redis.log')}`)
      // PING answers LOADING while the AOF is replayed: ready means PONG.
      if (await this.#ping() === 'PONG') return
      if (Date.now() > deadline) throw new Error('redis-server did not answer PONG within 30 s')
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  /** SHUTDOWN: fsync the AOF, stop answering, exit. Resolves once the process is gone. */
  async stopServer (): Promise<void> {
    const child = this.#child
    if (child === undefined || !this.running) return
    const exited = once(child, 'exit')
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    client.on('error', () => {})
    try {
      await client.connect()
      await client.shutdown().catch(() => {}) // the connection closing is the answer
    } catch {
      child.kill('SIGTERM') // same orderly shutdown, if the command could not be sent
    } finally {
      client.disconnect()
    }
    await exited
    this.#child = undefined
  }

  /** SIGKILL: Redis dies at once, its clients' sockets close; `start()` replays the AOF. */
  async killServer (): Promise<void> {
    const child = this.#child
    if (child === undefined || !this.running) return
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited
    this.#child = undefined
  }

  /** SIGSTOP: Redis stops answering but its clients' connections stay open (a hung host); `thaw()` resumes it. */
  freeze (): void {
    if (this.running) this.#child!.kill('SIGSTOP')
  }

  thaw (): void {
    if (this.running) this.#child!.kill('SIGCONT')
  }

  async destroy (): Promise<void> {
    this.#unregister()
    if (this.running) {
      const exited = once(this.#child!, 'exit')
      this.#child!.kill('SIGKILL')
      await exited
    }
    rmSync(this.dir, { recursive: true, force: true })
  }

  #destroySync (): void {
    if (this.running) this.#child!.kill('SIGKILL')
    rmSync(this.dir, { recursive: true, force: true })
  }

  async #ping (): Promise<string | undefined> {
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000 })
    client.on('error', () => {})
    try {
      await client.connect()
      return await client.ping()
    } catch {
      return undefined
    } finally {
      client.disconnect()
    }
  }
}
