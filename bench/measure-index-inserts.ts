import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { processCpuSeconds } from './cpu-usage.js'
import { STUDY_INDEXES, type IndexSet } from './index-sets.js'
import type { Row } from '../src/core/chain/index.js'
import { insertRowsQuery } from '../src/store/insert-rows-query.js'
import { StudyRows } from './study-rows.js'
import type { TableIndexes } from './table-indexes.js'

export interface InsertFigure {
  set: string
  indexes: string[]
  rows: number
  statements: number
  seconds: number
  rowsPerSecond: number
  /** CPU time of the PostgreSQL backend that ran the inserts, per row: steadier than rows/s on a busy machine. */
  backendCpuMicrosPerRow: number
  /** Rows/s of each third of the run (drift and noise: the sets alternate, so all see the same). */
  thirds: number[]
}

const BATCH = 2_000

class Tally {
  seconds: number[] = [0, 0, 0]
  rows: number[] = [0, 0, 0]
  statements = 0
  cpuSeconds = 0

  add (third: number, rows: number, timed: { seconds: number, cpuSeconds: number }): void {
    this.seconds[third]! += timed.seconds
    this.rows[third]! += rows
    this.cpuSeconds += timed.cpuSeconds
    this.statements++
  }

  figure (set: IndexSet): InsertFigure {
    const rows = this.rows.reduce((a, b) => a + b, 0)
    const seconds = this.seconds.reduce((a, b) => a + b, 0)
    return {
      set: set.name,
      indexes: set.indexes,
      rows,
      statements: this.statements,
      seconds,
      rowsPerSecond: rows / seconds,
      backendCpuMicrosPerRow: this.cpuSeconds / rows * 1e6,
      thirds: this.rows.map((r, i) => r / this.seconds[i]!)
    }
  }
}

async function backendPid (client: pg.Client): Promise<number> {
  return (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid
}

// The store's own statement, into `table`.
async function timedInsert (client: pg.Client, pid: number, table: string, rows: Row[]): Promise<{ seconds: number, cpuSeconds: number }> {
  const query = insertRowsQuery(table, 'big', rows)
  const cpu = processCpuSeconds(pid)
  const started = performance.now()
  await client.query(query.sql, query.parameters as unknown[])
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: processCpuSeconds(pid) - cpu }
}

/**
 * Insert rows/s into fresh tables, one per set, all of the shape of `audit_events` with its
 * keys: each round makes 2,000 rows (untimed) and writes them, one autocommit statement per
 * table as the store does, into every table in turn (the order turns each round).
 */
export async function measureFreshInserts (client: pg.Client, keys: TableIndexes, sets: IndexSet[], rowsPerSet: number, log: (m: string) => void): Promise<InsertFigure[]> {
  const tables = sets.map((_, i) => `index_study_${i}`)
  for (const [i, set] of sets.entries()) {
    const table = tables[i]!
    await client.query(`DROP TABLE IF EXISTS ${table}`)
    await client.query(`CREATE TABLE ${table} (LIKE audit_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`)
    for (const [k, c] of keys.constraints.entries()) await client.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_key${k} ${c.definition}`)
    for (const index of set.indexes) await client.query(`CREATE INDEX ${table}_${index} ON ${table} ${STUDY_INDEXES[index]}`)
  }
  const tallies = sets.map(() => new Tally())
  const source = new StudyRows('big')
  const rounds = Math.ceil(rowsPerSet / BATCH)
  const pid = await backendPid(client)
  try {
    for (let round = 0; round < rounds; round++) {
      const rows = source.next(BATCH)
      const third = Math.min(2, Math.floor(3 * round / rounds))
      for (let k = 0; k < sets.length; k++) {
        const i = (round + k) % sets.length
        tallies[i]!.add(third, BATCH, await timedInsert(client, pid, tables[i]!, rows))
      }
      if ((round + 1) % 10 === 0) log(`inserts: round ${round + 1}/${rounds}`)
    }
  } finally {
    for (const table of tables) await client.query(`DROP TABLE IF EXISTS ${table}`)
  }
  return sets.map((set, i) => tallies[i]!.figure(set))
}

/**
 * Insert rows/s into the large table, each set in a transaction that first drops every
 * other study index and ends in ROLLBACK (so the next set finds the table as it was). The
 * rows continue the tenant past its last seq. No commit per statement here, unlike the store.
 */
export async function measureInsertsAtScale (client: pg.Client, sets: IndexSet[], options: { rounds: number, statements: number, firstSeq: number, log: (m: string) => void }): Promise<InsertFigure[]> {
  const all = Object.keys(STUDY_INDEXES)
  const tallies = sets.map(() => new Tally())
  const source = new StudyRows('big')
  const pid = await backendPid(client)
  for (let round = 0; round < options.rounds; round++) {
    const third = Math.min(2, Math.floor(3 * round / options.rounds))
    for (let k = 0; k < sets.length; k++) {
      const i = (round + k) % sets.length
      const batches = Array.from({ length: options.statements }, () => source.next(BATCH).map(r => ({ ...r, seq: options.firstSeq + r.seq })))
      await client.query('BEGIN')
      try {
        for (const index of all) if (!(sets[i]!.indexes as string[]).includes(index)) await client.query(`DROP INDEX study_${index}`)
        for (const rows of batches) tallies[i]!.add(third, rows.length, await timedInsert(client, pid, 'audit_events', rows))
      } finally {
        await client.query('ROLLBACK')
      }
    }
    options.log(`inserts at scale: round ${round + 1}/${options.rounds}`)
  }
  return sets.map((set, i) => tallies[i]!.figure(set))
}
