/**
 * Where each process of the bench listens, counted from BENCH_PORT (bench/README.md, "Knobs").
 * Every listener gets a port of its own, so the service, the baseline, the ceilings and the
 * clusters of figure 10 can all run at once and be measured in turn.
 */
export interface BenchPorts {
  api: number
  bare: number
  workerMetrics: number
  apiHealth: number
  plain: number
  baselineApi: number
  baselineHealth: number
  baselineMetrics: number
  /** Figure 10's one-process cluster; its worker's HEALTH_PORT and API_METRICS_PORT follow. */
  clusterOne: number
  /** Figure 10's cluster of BENCH_CLUSTER_WORKERS processes; two ports per worker follow. */
  clusterMany: number
}

export function benchPorts (base: number): BenchPorts {
  return {
    api: base,
    bare: base + 1,
    workerMetrics: base + 2,
    apiHealth: base + 3,
    plain: base + 4,
    baselineApi: base + 5,
    baselineHealth: base + 6,
    baselineMetrics: base + 7,
    clusterOne: base + 8,
    clusterMany: base + 11
  }
}
