import { execFile, execFileSync } from 'node:child_process'
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { onExitCleanup } from './exit-cleanup.js'
import { freePort } from './free-port.js'

const run = promisify(execFile)
const BIN = process.env.FAULT_PG_BIN ?? '/usr/lib/postgresql/15/bin'

/** initdb and the server refuse to run as root: as root, run them as the postgres OS user. */
function asPostgres (cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', join(BIN, cmd), ...args]] : [join(BIN, cmd), args]
}

/**
 * A PostgreSQL cluster of the suite's own, in a temporary directory on a spare port, that the
 * suite may stop and start (the shared cluster on 5432 is never touched). Trust auth for the
 * `postgres` role over TCP on 127.0.0.1.
 *
 * `fsync=off` only skips the flush to disk: a stop (even `-m immediate`) kills processes, not
 * the machine, so every commit written to the OS survives it. `synchronous_commit` stays on:
 * a commit is acknowledged only once its WAL is written, so an acknowledged commit is never
 * lost by a crash-like stop.
 */
export class PgInstance {
  readonly dir: string
  readonly port: number
  #unregister: () => void

  private constructor (dir: string, port: number) {
    this.dir = dir
    this.port = port
    this.#unregister = onExitCleanup(() => this.#destroySync())
  }

  static async start (): Promise<PgInstance> {
    const dir = mkdtempSync(join(tmpdir(), 'audit-faults-pg-'))
    const instance = new PgInstance(dir, await freePort())
    try {
      if (process.getuid?.() === 0) chownSync(dir, ...postgresIds())
      const [cmd, args] = asPostgres('initdb', ['-D', instance.dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'])
      await run(cmd, args)
      await instance.startServer()
      return instance
    } catch (err) {
      await instance.destroy()
      throw err
    }
  }

  get dataDir (): string {
    return join(this.dir, 'data')
  }

  get logFile (): string {
    return join(this.dir, 'postgres.log')
  }

  /** Connection URL of one database of this cluster. */
  url (database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`
  }

  async startServer (): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`
    const [cmd, args] = asPostgres('pg_ctl', ['-D', this.dataDir, '-l', this.logFile, '-o', options, '-w', '-t', '60', 'start'])
    await run(cmd, args)
  }

  /**
   * Stops the server. `immediate` is a crash as far as clients see: every connection drops at
   * once, open transactions are lost (never their committed work), and the next start runs
   * crash recovery. It is what `pg_ctl stop -m immediate` does (SIGQUIT to the postmaster),
   * sent directly so that the outage begins the moment the suite chooses, not after the
   * start-up time of runuser and pg_ctl.
   */
  async stopServer (mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    if (mode === 'fast') {
      const [cmd, args] = asPostgres('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', '-t', '60', 'stop'])
      await run(cmd, args)
      return
    }
    const pid = this.#postmasterPid()
    process.kill(pid, 'SIGQUIT')
    const deadline = Date.now() + 60_000
    while (alive(pid)) {
      if (Date.now() > deadline) throw new Error(`postmaster ${pid} still running 60 s after SIGQUIT`)
      await new Promise(resolve => setTimeout(resolve, 20))
    }
  }

  /** Whether the postmaster runs (a fault may have stopped it). */
  get running (): boolean {
    try {
      return alive(this.#postmasterPid())
    } catch {
      return false
    }
  }

  #postmasterPid (): number {
    const pid = Number(readFileSync(join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])
    if (!(pid > 0)) throw new Error('no postmaster.pid: is the server running?')
    return pid
  }

  async createDatabase (name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url() })
    await client.connect()
    try {
      await client.query(`CREATE DATABASE ${name}`)
    } finally {
      await client.end()
    }
    return this.url(name)
  }

  async destroy (): Promise<void> {
    this.#unregister()
    this.#destroySync()
  }

  #destroySync (): void {
    try {
      const [cmd, args] = asPostgres('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop'])
      execFileSync(cmd, args, { stdio: 'ignore' })
    } catch {
      // Not running, or pg_ctl failed: make sure the postmaster is gone anyway.
      try {
        process.kill(this.#postmasterPid(), 'SIGKILL')
      } catch { /* no pid file: nothing runs */ }
    }
    rmSync(this.dir, { recursive: true, force: true })
  }
}

function postgresIds (): [number, number] {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
  return [uid, gid]
}

function alive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}
