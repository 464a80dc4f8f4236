import type { DrainFigure } from './measure-drain.js'
import type { IngestFigure } from './measure-ingest.js'
import type { SustainedFigure } from './measure-sustained.js'
import type { VerificationFigure } from './measure-verification.js'
import type { HeavyReadsFigure } from './measure-heavy-reads.js'
import type { ReadFigure } from './measure-reads.js'

/** Everything one run of the bench measured, as written to bench/results/<date>.json. */
export interface BenchResults {
  /** Absent when BENCH_FIGURES left the figure out. */
  single?: IngestFigure
  batch?: IngestFigure
  drain?: DrainFigure
  verification?: VerificationFigure
  sustained?: SustainedFigure
  /** Figure 8: one 100-row page of each GET /audit-events filter, in each order, on a large tenant. */
  reads?: { rows: number, queries: ReadFigure[] }
  /** Figure 9: /health/live while two verifies and two exports read a large log. */
  heavyReads?: HeavyReadsFigure
  /** Figure 10: figures 1 and 2's loads against the API in one process and in `workers` (cluster module). */
  cluster?: {
    workers: number
    single?: IngestFigure
    batch?: IngestFigure
    /** VmHWM of each cluster's worker processes, read before they were stopped. */
    peakRssBytes: Record<string, Array<number | undefined>>
  }
  /** BENCH_BASELINE_REF: the code figures 1 and 2 also measured (the server `baseline` in their runs). */
  baseline?: {
    ref: string
    commit: string
    /** The database its API used, and which CLI made its key. */
    database: string
    keyFrom: 'service' | 'baseline'
    /** The flags it ran with (the service's), and its own API_NODE_FLAGS when they differ. */
    nodeFlags: readonly string[]
    ownNodeFlags?: readonly string[] | undefined
  }
  peakRss: {
    apiBytes: number | undefined
    /** The baseline's API (figures 1 and 2 only), when BENCH_BASELINE_REF ran. */
    baselineApiBytes?: number | undefined
    /** The API's VmHWM after each phase (it only grows): which phase raised the peak. */
    apiAfter: Record<string, number | undefined>
    /** One entry per worker process the bench started (drain runs, then sustained runs). */
    workerBytes: Array<number | undefined>
  }
}
