import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../src/store/database.js'
import type { ServiceProcess } from './service-processes.js'

const run = promisify(execFile)

/**
 * Which worker process has an append transaction open right now, if any: PostgreSQL knows
 * the client port of every backend in a transaction (pg_stat_activity), and `ss` knows which
 * process owns that local port. Used to SIGKILL a worker in the middle of a batch rather than
 * between two. Port owners are cached; `ss` runs again only for a port not seen yet.
 */
export class WorkerInTransaction {
  readonly #db: Kysely<Database>
  readonly #pgPort: number
  readonly #owners = new Map<number, number>()

  constructor (db: Kysely<Database>, pgPort: number) {
    this.#db = db
    this.#pgPort = pgPort
  }

  async find (candidates: ServiceProcess[]): Promise<ServiceProcess | undefined> {
    const { rows } = await sql<{ client_port: number }>`
      SELECT client_port FROM pg_stat_activity
      WHERE application_name = 'audit-service-worker' AND datname = current_database()
        AND xact_start IS NOT NULL AND state IN ('active', 'idle in transaction')`.execute(this.#db)
    if (rows.length === 0) return undefined
    if (rows.some(r => !this.#owners.has(r.client_port))) await this.#refresh()
    const pids = new Set(rows.map(r => this.#owners.get(r.client_port)))
    return candidates.find(p => pids.has(p.child.pid))
  }

  async #refresh (): Promise<void> {
    const { stdout } = await run('ss', ['-tnpH', 'state', 'established', `( dport = :${this.#pgPort} )`])
    const line = new RegExp(`:(\\d+)\\s+\\S+:${this.#pgPort}\\s+users:\\(\\("[^"]*",pid=(\\d+)`)
    for (const text of stdout.split('\n')) {
      const m = line.exec(text)
      if (m !== null) this.#owners.set(Number(m[1]), Number(m[2]))
    }
  }
}
