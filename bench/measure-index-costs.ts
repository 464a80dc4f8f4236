// The index study: what each read index of audit_events costs the insert and what it gives
// the reads. Run: npm run build && node dist/bench/measure-index-costs.js [phase ...]
// Phases (all, in this order, when none is named): inserts, generate, build, reads,
// inserts-at-scale, drop. Each can run on its own (the scratch databases stay between them),
// so every timing phase fits in one hold of the bench lock. Knobs and output: bench/README.md.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { createDatabase } from '../src/store/database.js'
import { migrateToLatest } from '../src/store/migrate-to-latest.js'
import { databaseUrl, dropDatabase, recreateDatabase } from './bench-database.js'
import { CANDIDATE_SETS, LEAVE_ONE_OUT_SETS, SINGLE_SETS, STUDY_INDEXES, type IndexSet } from './index-sets.js'
import { measureFreshInserts, measureInsertsAtScale, type InsertFigure } from './measure-index-inserts.js'
import { measureIndexReads, type IndexReadFigure } from './measure-index-reads.js'
import { generateRows } from './measure-reads.js'
import { repoRoot } from './repo-root.js'
import { dropTableIndexes, restoreTableIndexes, tableIndexes, type TableIndexes } from './table-indexes.js'

const PHASES = ['inserts', 'generate', 'build', 'reads', 'inserts-at-scale', 'drop'] as const
type Phase = typeof PHASES[number]

const env = process.env
const adminUrl = env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const STUDY_DB = 'audit_bench_index_study'
const INSERTS_DB = 'audit_bench_index_inserts'
const rows = Number(env.INDEX_STUDY_ROWS ?? 10_000_000)
const insertRows = Number(env.INDEX_STUDY_INSERT_ROWS ?? 100_000)
const insertSets = (env.INDEX_STUDY_INSERT_SETS ?? 'candidates,singles').split(',')
const readRuns = Number(env.INDEX_STUDY_READ_RUNS ?? 5)
const scaleRounds = Number(env.INDEX_STUDY_SCALE_ROUNDS ?? 6)
const scaleStatements = Number(env.INDEX_STUDY_SCALE_STATEMENTS ?? 10)
const buildMinutes = Number(env.INDEX_STUDY_BUILD_MINUTES ?? 11)

const phases = process.argv.slice(2) as Phase[]
for (const p of phases) if (!PHASES.includes(p)) throw new Error(`unknown phase ${p}; phases: ${PHASES.join(', ')}`)
const started = Date.now()
const log = (m: string) => process.stderr.write(`[index study +${Math.round((Date.now() - started) / 1000)}s] ${m}\n`)

interface StudyResults {
  rows: number
  /** One entry per run of the phase: each run has its own references (all nine, keys only). */
  inserts?: Array<{ at: string, commit: string, figures: InsertFigure[] }>
  insertsAtScale?: Array<{ at: string, commit: string, figures: InsertFigure[] }>
  reads?: IndexReadFigure[]
  indexSizes?: Record<string, number>
  [key: string]: unknown
}

const resultsFile = join(repoRoot(), 'bench', 'results', `${new Date().toISOString().slice(0, 10)}-index-costs.json`)
const results: StudyResults = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : { rows }
const save = () => {
  mkdirSync(join(repoRoot(), 'bench', 'results'), { recursive: true })
  writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n')
}

async function withClient<T> (database: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(adminUrl, database) })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

async function migrate (database: string): Promise<void> {
  const db = createDatabase({ connectionString: databaseUrl(adminUrl, database), max: 1 })
  try {
    await migrateToLatest(db)
  } finally {
    await db.destroy()
  }
}

// Which statement and index definitions a run measured.
const commit = execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trim()

const k = (n: number) => Math.round(n).toLocaleString('en')

function printInserts (title: string, figures: InsertFigure[]): void {
  const all = figures.find(f => f.set === CANDIDATE_SETS[0]!.name)
  const keys = figures.find(f => f.set === 'keys only')
  const lines = [`### ${title}`, '', '| index set | rows/s | vs all nine | vs keys only | backend CPU µs/row | vs all nine | thirds of the run (rows/s) |', '| --- | --- | --- | --- | --- | --- | --- |']
  for (const f of figures) {
    const ratio = (base: InsertFigure | undefined) => base === undefined ? 'n/a' : `${(f.rowsPerSecond / base.rowsPerSecond).toFixed(2)}x`
    const cpu = all === undefined ? 'n/a' : `${(f.backendCpuMicrosPerRow / all.backendCpuMicrosPerRow).toFixed(2)}x`
    lines.push(`| ${f.set} | ${k(f.rowsPerSecond)} | ${ratio(all)} | ${ratio(keys)} | ${k(f.backendCpuMicrosPerRow)} | ${cpu} | ${f.thirds.filter(Number.isFinite).map(k).join(', ')} |`)
  }
  process.stdout.write(lines.join('\n') + '\n\n')
}

function printReads (figures: IndexReadFigure[]): void {
  const sets = [...new Set(figures.map(f => f.set))]
  const pages = [...new Set(figures.map(f => `${f.query} (${f.order})`))]
  const lines = ['### median ms of one page (101 rows); "timeout" = over 3 s', '', `| page | ${sets.join(' | ')} |`, `| --- | ${sets.map(() => '---').join(' | ')} |`]
  for (const page of pages) {
    const cells = sets.map(set => {
      const f = figures.find(x => x.set === set && `${x.query} (${x.order})` === page)
      return f === undefined ? '' : f.median_ms === undefined ? 'timeout' : String(f.median_ms)
    })
    lines.push(`| ${page} | ${cells.join(' | ')} |`)
  }
  process.stdout.write(lines.join('\n') + '\n\n')
}

async function inserts (): Promise<void> {
  await recreateDatabase(adminUrl, INSERTS_DB)
  await migrate(INSERTS_DB)
  const sets: IndexSet[] = [
    ...(insertSets.includes('candidates') ? CANDIDATE_SETS : CANDIDATE_SETS.slice(0, 2)),
    ...(insertSets.includes('singles') ? SINGLE_SETS : [])
  ]
  log(`inserts: ${sets.length} sets, ${insertRows} rows each`)
  try {
    const figures = await withClient(INSERTS_DB, async client => {
      const keys = await tableIndexes(client, 'audit_events')
      return await measureFreshInserts(client, keys, sets, insertRows, log)
    })
    results.inserts = [...(results.inserts ?? []), { at: new Date().toISOString(), commit, figures }]
    save()
    printInserts(`fresh tables, ${k(insertRows)} rows per set`, figures)
  } finally {
    await dropDatabase(adminUrl, INSERTS_DB)
  }
}

async function generate (): Promise<void> {
  await recreateDatabase(adminUrl, STUDY_DB)
  await migrate(STUDY_DB)
  await withClient(STUDY_DB, async client => {
    // The keys are put back by the build phase; the migrations' read indexes are replaced by the study's.
    const found = await dropTableIndexes(client, 'audit_events')
    // The study's rolled-back inserts leave dead rows; a vacuum of the whole table must not run under a measurement.
    await client.query('ALTER TABLE audit_events SET (autovacuum_enabled = false)')
    await client.query('CREATE TABLE index_study_keys (definitions jsonb NOT NULL)')
    await client.query('INSERT INTO index_study_keys VALUES ($1)', [JSON.stringify({ constraints: found.constraints, indexes: [] } satisfies TableIndexes)])
  })
  await generateRows(databaseUrl(adminUrl, STUDY_DB), { rows, log })
  results.rows = rows
  save()
}

async function build (): Promise<void> {
  await withClient(STUDY_DB, async client => {
    await client.query('SET maintenance_work_mem = \'512MB\'')
    const have = await tableIndexes(client, 'audit_events')
    if (have.constraints.length === 0) {
      const saved = (await client.query('SELECT definitions FROM index_study_keys')).rows[0].definitions as TableIndexes
      log(`build: keys ${saved.constraints.map(c => c.name).join(', ')}`)
      await restoreTableIndexes(client, 'audit_events', saved)
    }
    for (const [name, spec] of Object.entries(STUDY_INDEXES)) {
      // Resumable: stop starting builds before the bench lock has been held for too long.
      if (Date.now() - started > buildMinutes * 60_000) {
        log('build: out of time; run the build phase again for the rest')
        return
      }
      const t0 = Date.now()
      await client.query(`CREATE INDEX IF NOT EXISTS study_${name} ON audit_events ${spec}`)
      log(`build: study_${name} in ${Math.round((Date.now() - t0) / 1000)} s`)
    }
    await client.query('VACUUM ANALYZE audit_events')
    const sizes = await client.query<{ name: string, bytes: string }>(`
      SELECT indexrelid::regclass::text AS name, pg_relation_size(indexrelid) AS bytes FROM pg_index WHERE indrelid = 'audit_events'::regclass ORDER BY 1`)
    results.indexSizes = Object.fromEntries(sizes.rows.map(r => [r.name, Number(r.bytes)]))
    results.indexSizes.heap = Number((await client.query('SELECT pg_relation_size(\'audit_events\') AS b')).rows[0].b)
    save()
    process.stdout.write(sizes.rows.map(r => `${r.name}: ${Math.round(Number(r.bytes) / 2 ** 20)} MB`).join('\n') + '\n')
  })
}

async function reads (): Promise<void> {
  const db = createDatabase({ connectionString: databaseUrl(adminUrl, STUDY_DB), max: 1 })
  try {
    const only = env.INDEX_STUDY_READ_SETS?.split(',')
    const sets = [...CANDIDATE_SETS, ...LEAVE_ONE_OUT_SETS].filter(s => only === undefined || only.some(o => s.name.startsWith(o)))
    const figures = await measureIndexReads(db, sets, { runs: readRuns, plans: true, log })
    results.reads = [...(results.reads ?? []).filter(f => !sets.some(s => s.name === f.set)), ...figures]
    save()
    printReads(figures)
  } finally {
    await db.destroy()
  }
}

async function insertsAtScale (): Promise<void> {
  const figures = await withClient(STUDY_DB, async client => {
    const max = Number((await client.query('SELECT max(seq) AS m FROM audit_events WHERE tenant = \'big\'')).rows[0].m)
    // Past the seqs of earlier runs' rolled-back rows, whose dead index entries would otherwise be met again.
    const firstSeq = max + 10_000_000 * (1 + (results.insertsAtScale?.length ?? 0))
    return await measureInsertsAtScale(client, CANDIDATE_SETS, { rounds: scaleRounds, statements: scaleStatements, firstSeq, log })
  })
  results.insertsAtScale = [...(results.insertsAtScale ?? []), { at: new Date().toISOString(), commit, figures }]
  save()
  printInserts(`into the table of ${k(rows)} rows, ${scaleRounds} rounds of ${scaleStatements} statements per set`, figures)
}

const run: Record<Phase, () => Promise<void>> = { inserts, generate, build, reads, 'inserts-at-scale': insertsAtScale, drop: () => dropDatabase(adminUrl, STUDY_DB) }
for (const phase of phases.length === 0 ? PHASES : phases) {
  log(`phase ${phase}`)
  await run[phase]()
}
log(`results in ${resultsFile}`)
