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
  peakRss: {
    apiBytes: number | undefined
    /** The API's VmHWM after each phase (it only grows): which phase raised the peak. */
    apiAfter: Record<string, number | undefined>
    /** One entry per worker process the bench started (drain runs, then sustained runs). */
    workerBytes: Array<number | undefined>
  }
}
