import type { BenchResults } from './bench-results.js'
import { ms, n0, n1, n2, pct, range, verdict } from './format-numbers.js'
import type { TableRow } from './format-table.js'
import type { IngestFigure, ServerRun } from './measure-ingest.js'
import { spread, type Spread } from './spread.js'

/** CPU µs per event (per request for single events) of the server's processes plus Redis when it counts. */
export const cpuPerEvent = (r: ServerRun) => (r.serverCores + r.redisCores) * 1e6 / r.events
/** Events (requests) per second per core of the server's own processes: throughput with the CPU it got factored out. */
export const perApiCore = (r: ServerRun) => r.events / r.serverCores

/** Issue 16's targets 1-3: against the plain implementation, the CPU bound, p99, and against the baseline. */
const TARGETS = {
  single: { plain: 2, microseconds: 150, p99: 25, baseline: 2 },
  batch: { plain: 2, microseconds: 45, p99: undefined, baseline: 2.5 }
} as const

/**
 * Medians over runs, ratio of medians, and the range of per-run ratios: `ratio(a, b, metric)`
 * is a's metric over b's. Every ratio in the table reads "better when above 1": throughput is
 * the service's over the other's, CPU per event the other's over the service's.
 */
function ingestStats (figure: IngestFigure) {
  const events = figure.eventsPerRequest > 1
  const unit = events ? 'events/s' : 'req/s'
  const per = events ? 'event' : 'req'
  const runsOf = (name: string) => figure.runs.map(r => r[name]).filter((r): r is ServerRun => r !== undefined)
  const median = (name: string, pick: (r: ServerRun) => number) => spread(runsOf(name).map(pick)).median
  const of = (name: string) => {
    const runs = runsOf(name)
    const eventsSpread = spread(runs.map(r => r.events))
    const s = {
      events: eventsSpread.median,
      p50: median(name, r => r.load.p50),
      p99: median(name, r => r.load.p99),
      cpu: median(name, cpuPerEvent),
      cores: median(name, r => r.serverCores),
      redisCores: median(name, r => r.redisCores),
      perCore: median(name, perApiCore),
      generatorCores: median(name, r => r.cpu.cores.bench ?? 0),
      machineBusy: median(name, r => r.cpu.machineBusy),
      failures: runs.reduce((sum, r) => sum + r.load.non2xx + r.load.errors, 0),
      range: `${range(eventsSpread, n0)}${pct(eventsSpread)}`
    }
    return {
      ...s,
      describe: (cpuLabel: string) => `${n0(s.events)} ${unit}, p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, ${cpuLabel} CPU ${n0(s.cpu)} µs/${per} (${n2(s.cores)} cores)` +
        (s.failures > 0 ? `, ${s.failures} non-2xx/errors` : '')
    }
  }
  const ratio = (a: string, b: string, metric: (r: ServerRun) => number): { ratio: number, runs: Spread } => ({
    ratio: median(a, metric) / median(b, metric),
    runs: spread(figure.runs.filter(r => r[a] !== undefined && r[b] !== undefined).map(r => metric(r[a]!) / metric(r[b]!)))
  })
  return { unit, per, of, ratio }
}

/** Rows 1 and 2 (against plain and bare), 1b and 2b (against the baseline). */
export function ingestRows (results: BenchResults): TableRow[] {
  const rows: TableRow[] = []
  for (const [label, figure, target] of [
    ['1. single-event ingest', results.single, TARGETS.single],
    ['2. batch ingest', results.batch, TARGETS.batch]
  ] as const) {
    if (figure === undefined) continue
    const { unit, per, of, ratio } = ingestStats(figure)
    const service = of('service')
    const plain = of('plain')
    const bare = of('bare')
    const perCore = ratio('service', 'plain', perApiCore)
    const pass = perCore.ratio >= target.plain && service.cpu <= target.microseconds &&
      (target.p99 === undefined || service.p99 < target.p99) && service.failures === 0
    rows.push({
      figure: `${label} (${figure.eventsPerRequest > 1 ? `${figure.eventsPerRequest} events/request, ` : ''}${figure.connections} conns)`,
      value: service.describe('API+Redis'),
      ceiling: `plain ${plain.describe('plain+Redis')}; bare route ${n0(bare.events)} ${unit}, p50 ${ms(bare.p50)}, p99 ${ms(bare.p99)}, CPU ${n1(bare.cpu)} µs/${per}`,
      ratio: `plain: ${n2(perCore.ratio)}x per API core (${n2(ratio('service', 'plain', r => r.events).ratio)}x ${unit}, ` +
        `${n2(ratio('plain', 'service', cpuPerEvent).ratio)}x CPU/${per}); bare: ${n2(service.events / bare.events)}x ${unit}`,
      target: `>= ${target.plain}x plain per API core, <= ${target.microseconds} µs/${per}${target.p99 === undefined ? '' : `, p99 < ${target.p99} ms`}`,
      pass: verdict(pass),
      noise: `service ${service.range}; plain ${plain.range}; bare ${bare.range}; per-core ratio to plain ${range(perCore.runs, n2)}`
    })
    if (!figure.servers.includes('baseline')) continue
    const baseline = of('baseline')
    const baseCore = ratio('service', 'baseline', perApiCore)
    rows.push({
      figure: `${label.replace('.', 'b.')} against the baseline ${results.baseline?.ref ?? ''}`.trim(),
      value: `${n0(service.perCore)} ${unit} per API core (${n0(service.events)} ${unit} on ${n2(service.cores)} cores), API+Redis CPU ${n0(service.cpu)} µs/${per}`,
      ceiling: `baseline ${baseline.describe('API+Redis')}, ${n0(baseline.perCore)} ${unit} per API core`,
      ratio: `${n2(baseCore.ratio)}x per API core (${n2(ratio('baseline', 'service', cpuPerEvent).ratio)}x CPU/${per}, ${n2(ratio('service', 'baseline', r => r.events).ratio)}x ${unit})`,
      target: `>= ${target.baseline}x per API core`,
      pass: verdict(baseCore.ratio >= target.baseline && service.failures === 0 && baseline.failures === 0),
      noise: `service ${service.range}; baseline ${baseline.range}; per-core ratio ${range(baseCore.runs, n2)}`
    })
  }

  return rows
}

/** Rows 10a and 10b: the API in several processes against one. */
export function clusterRows (results: BenchResults): TableRow[] {
  const rows: TableRow[] = []
  const cluster = results.cluster
  for (const [label, figure] of [['10a. single-event ingest', cluster?.single], ['10b. batch ingest', cluster?.batch]] as const) {
    if (cluster === undefined || figure === undefined) continue
    const { unit, per, of, ratio } = ingestStats(figure)
    const many = `cluster-${cluster.workers}`
    const [one, several] = [of('cluster-1'), of(many)]
    const where = (s: ReturnType<typeof of>) => `; Redis ${n2(s.redisCores)} cores, load generator ${n2(s.generatorCores)}, machine busy ${n2(s.machineBusy)}`
    rows.push({
      figure: `${label}, API in ${cluster.workers} processes vs 1 (cluster module, ${figure.eventsPerRequest > 1 ? `${figure.eventsPerRequest} events/request, ` : ''}${figure.connections} conns)`,
      value: `${cluster.workers} processes: ${several.describe('API processes+Redis')}${where(several)}`,
      ceiling: `1 process: ${one.describe('API process+Redis')}${where(one)}`,
      ratio: `${n2(ratio(many, 'cluster-1', r => r.events).ratio)}x ${unit} (${n2(ratio('cluster-1', many, cpuPerEvent).ratio)}x CPU/${per})`,
      target: 'n/a (shows scaling; the load generator shares the cores)',
      pass: 'n/a',
      noise: `${cluster.workers} processes ${several.range}; 1 process ${one.range}; ratio ${range(ratio(many, 'cluster-1', r => r.events).runs, n2)}`
    })
  }
  return rows
}
