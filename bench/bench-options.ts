/** The bench's own knobs (all from the environment); the service's knobs pass through to it. */
export interface BenchOptions {
  /** Figures to measure (BENCH_FIGURES=1,2,...; 6 needs 3's rows, 5 rides on 4; 7 is always read; 8 is filtered reads; 9 is /health under whole-log reads; 10 is ingest with the API in several processes). */
  figures: Set<number>
  /** A git ref whose API figures 1 and 2 also measure, alternated with the service (BENCH_BASELINE_REF; unset: none). */
  baselineRef: string | undefined
  /** V8 flags of the baseline's API: its own as it shipped, or the service's (BENCH_BASELINE_FLAGS=own|service, default own). */
  baselineFlags: 'own' | 'service'
  /** API processes of figure 10's cluster, measured against one process (BENCH_CLUSTER_WORKERS, default 2). */
  clusterWorkers: number
  /** Events in the tenant that figure 8 searches (BENCH_READ_ROWS, default 1,000,000). */
  readRows: number
  /** Repetitions of every figure; the table shows the median and the min-max spread. */
  runs: number
  /** Repetitions of the 60 s sustained figure (and the /health probe that rides on it). */
  sustainedRuns: number
  /** Seconds of each ingest load (figures 1 and 2), for the service and for the bare ceiling alike. */
  seconds: number
  /** Seconds of load before the measured runs of each server, discarded (JIT, connection pools). */
  warmupSeconds: number
  sustainedSeconds: number
  connections: number
  batchConnections: number
  batchSize: number
  drainEvents: number
  /** Events per job in the prefilled queue (the API makes jobs of 1..INGEST_BATCH_MAX events). */
  drainJobEvents: number
  /** Requests per second of the /health probe during the sustained load. */
  healthRate: number
  verifyPage: number
  port: number
  pgAdminUrl: string
  redisUrl: string
  database: string
  queuePrefix: string
  /** Keep the audit_bench database after the run (it is dropped by default: it grows to a few GB). */
  keepDatabase: boolean
  /** Figure 9: rows and signed checkpoints of the tenant verified and exported under a /health probe. */
  heavyRows: number
  heavyCheckpoints: number
}

type Env = Record<string, string | undefined>

/** What `npm run bench` measures without BENCH_FIGURES (7 is always read). */
export const DEFAULT_FIGURES: readonly number[] = [1, 2, 3, 4, 5, 6, 8, 9, 10]

function int (env: Env, name: string, fallback: number, min = 1): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`)
  return value
}

export function readBenchOptions (env: Env = process.env): BenchOptions {
  const runs = int(env, 'BENCH_RUNS', 3)
  const figures = new Set((env.BENCH_FIGURES || DEFAULT_FIGURES.join(',')).split(',').map(f => Number(f.trim())))
  for (const f of figures) if (!Number.isInteger(f) || f < 1 || f > 10) throw new Error(`BENCH_FIGURES: unknown figure ${f}`)
  const baselineRef = env.BENCH_BASELINE_REF?.trim() || undefined
  // Handed to git as one argument; one starting with "-" would be read as an option.
  if (baselineRef !== undefined && (baselineRef.startsWith('-') || !/^[\w./@^~{}-]+$/.test(baselineRef))) {
    throw new Error(`BENCH_BASELINE_REF: not a git ref: ${JSON.stringify(baselineRef)}`)
  }
  if (figures.has(6)) figures.add(3)
  if (figures.has(5)) figures.add(4)
  if (figures.has(4)) figures.add(5)
  return {
    figures,
    baselineRef,
    baselineFlags: env.BENCH_BASELINE_FLAGS === 'service' ? 'service' : 'own',
    clusterWorkers: int(env, 'BENCH_CLUSTER_WORKERS', 2, 2),
    readRows: int(env, 'BENCH_READ_ROWS', 1_000_000),
    runs,
    sustainedRuns: int(env, 'BENCH_SUSTAINED_RUNS', 1),
    seconds: int(env, 'BENCH_SECONDS', 10),
    warmupSeconds: int(env, 'BENCH_WARMUP_SECONDS', 2, 0),
    sustainedSeconds: int(env, 'BENCH_SUSTAINED_SECONDS', 60),
    connections: int(env, 'BENCH_CONNECTIONS', 50),
    batchConnections: int(env, 'BENCH_BATCH_CONNECTIONS', 10),
    batchSize: int(env, 'BENCH_BATCH_SIZE', 100),
    drainEvents: int(env, 'BENCH_DRAIN_EVENTS', 200_000),
    drainJobEvents: int(env, 'BENCH_DRAIN_JOB_EVENTS', 100),
    healthRate: int(env, 'BENCH_HEALTH_RATE', 20),
    verifyPage: int(env, 'BENCH_VERIFY_PAGE', 5000),
    port: int(env, 'BENCH_PORT', 3900),
    pgAdminUrl: env.BENCH_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
    database: 'audit_bench',
    queuePrefix: 'bench',
    keepDatabase: env.BENCH_KEEP_DB === '1',
    heavyRows: int(env, 'BENCH_HEAVY_ROWS', 1_000_000),
    heavyCheckpoints: int(env, 'BENCH_HEAVY_CHECKPOINTS', 50_000)
  }
}
