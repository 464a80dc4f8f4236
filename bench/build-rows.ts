import type { BenchResults } from './bench-results.js'
import type { TableRow } from './format-table.js'
import { mb, ms, n0, n1, n2, pct, range, verdict } from './format-numbers.js'
import { clusterRows, ingestRows } from './ingest-rows.js'
import { spread } from './spread.js'

/** Medians and spreads of every figure, one table row each (figure 7 has two). */
export function buildRows (results: BenchResults): TableRow[] {
  const rows: TableRow[] = []

  rows.push(...ingestRows(results))

  if (results.drain !== undefined) {
    const d = results.drain
    const value = spread(d.runs.map(r => r.eventsPerSecond))
    const raw = spread(d.runs.map(r => r.raw.rowsPerSecond))
    const ratios = spread(d.runs.map(r => r.eventsPerSecond / r.raw.rowsPerSecond))
    const perTx = spread(d.runs.map(r => d.events / r.transactions)).median
    const workerCpu = spread(d.runs.map(r => (r.cpu.cores.worker ?? 0) * 1e6 / r.eventsPerSecond)).median
    const pgCpu = spread(d.runs.map(r => (r.cpu.cores.postgres ?? 0) * 1e6 / r.eventsPerSecond)).median
    const failed = d.runs.reduce((sum, r) => sum + r.failedJobs, 0)
    const ratio = value.median / raw.median
    rows.push({
      figure: `3. worker drain (${n0(d.events)} events, jobs of ${d.jobEvents}, 1 tenant)`,
      value: `${n0(value.median)} events/s (${n0(perTx)} events/transaction; CPU worker ${n0(workerCpu)} µs/event, PostgreSQL >= ${n0(pgCpu)} µs/event)${failed > 0 ? `, ${failed} failed jobs` : ''}`,
      ceiling: `raw INSERT ... unnest ${n0(raw.median)} rows/s (${n0(d.runs[0]?.raw.rows ?? 0)} rows / ${d.runs[0]?.raw.statements ?? 0} statements)`,
      ratio: `${n2(ratio)}x`,
      target: '>= 0.5x',
      pass: verdict(ratio >= 0.5 && failed === 0),
      noise: `worker ${range(value, n0)}${pct(value)}; raw ${range(raw, n0)}${pct(raw)}; ratio ${range(ratios, n2)}`
    })
  }

  if (results.sustained !== undefined) {
    const s = results.sustained
    const accepted = spread(s.runs.map(r => r.acceptedPerSecond))
    const stored = spread(s.runs.map(r => r.storedPerSecond))
    const backlog = spread(s.runs.map(r => r.backlogEvents))
    const jobs = spread(s.runs.map(r => r.backlogJobs))
    const growth = spread(s.runs.map(r => r.backlogGrowthPerSecond))
    const drainCeiling = spread(results.drain?.runs.map(r => r.eventsPerSecond) ?? []).median
    const bounded = s.runs.every(r => r.bounded)
    const non2xx = s.runs.reduce((sum, r) => sum + r.load.non2xx + r.load.errors, 0)
    rows.push({
      figure: `4. sustained end to end (${s.seconds} s, ${s.connections} conns, API + worker)`,
      value: `accepted ${n0(accepted.median)}/s, stored ${n0(stored.median)}/s, backlog at end ${n0(Math.max(0, backlog.median))} events ` +
        `(${n0(jobs.median)} jobs), growing ${n0(growth.median)} events/s${non2xx > 0 ? `, ${non2xx} non-2xx/errors` : ''}`,
      ceiling: `worker alone (figure 3) ${n0(drainCeiling)} events/s`,
      ratio: `stored/accepted ${n2(stored.median / accepted.median)}`,
      target: 'backlog bounded',
      pass: verdict(bounded),
      noise: `accepted ${range(accepted, n0)}; stored ${range(stored, n0)}`
    })
    // Figure 5 is /health on HEALTH_PORT (the API's health thread) when the run probed it;
    // results from before HEALTH_PORT only have the API port's, which is then the figure.
    const threaded = s.healthThreadIdle !== undefined && s.runs.every(r => r.healthThread !== undefined)
    const figure5 = (r: typeof s.runs[number]) => threaded ? r.healthThread! : r.health
    const p99 = spread(s.runs.map(r => figure5(r).p99))
    const p50 = spread(s.runs.map(r => figure5(r).p50))
    const failures = (pick: (r: typeof s.runs[number]) => { non2xx: number, errors: number }) => s.runs.reduce((sum, r) => sum + pick(r).non2xx + pick(r).errors, 0)
    const healthFailures = failures(figure5)
    const apiP99 = spread(s.runs.map(r => r.health.p99)).median
    const liveP99 = spread(s.runs.map(r => r.live?.p99 ?? Number.NaN)).median
    const apiFailures = failures(r => r.health)
    // The machine's own floor for this probe: an idle bare process probed alongside.
    const floorP99 = s.runs.every(r => r.floor !== undefined) ? spread(s.runs.map(r => r.floor!.p99)).median : undefined
    const floorText = floorP99 === undefined || s.floorIdle === undefined ? '' : `; floor (an idle bare Fastify process, same probe, same time) p99 ${ms(floorP99)} under load, ${ms(s.floorIdle.p99)} idle`
    rows.push(threaded
      ? {
          figure: `5. /health p99 under ingest load (HEALTH_PORT ${s.healthPort}, ${s.healthRate} req/s probe)`,
          value: `health port p99 ${ms(p99.median)}, p50 ${ms(p50.median)}${healthFailures > 0 ? `, ${healthFailures} non-2xx/errors` : ''}; ` +
            `API port /health p99 ${ms(apiP99)}${apiFailures > 0 ? ` (${apiFailures} non-2xx/errors)` : ''}, /health/live p99 ${ms(liveP99)}`,
          ceiling: `idle: health port p99 ${ms(s.healthThreadIdle!.p99)}, p50 ${ms(s.healthThreadIdle!.p50)}; API port p99 ${ms(s.healthIdle.p99)}, p50 ${ms(s.healthIdle.p50)}${floorText}`,
          ratio: 'n/a',
          target: '< 10 ms',
          pass: verdict(p99.median < 10 && healthFailures === 0),
          noise: `health port p99 ${range(p99, ms)}`
        }
      : {
          figure: `5. /health p99 under ingest load (${s.healthRate} req/s probe)`,
          value: `p99 ${ms(p99.median)}, p50 ${ms(p50.median)} (/health/live p99 ${ms(liveP99)})${healthFailures > 0 ? `, ${healthFailures} non-2xx/errors` : ''}`,
          ceiling: `idle p99 ${ms(s.healthIdle.p99)}, p50 ${ms(s.healthIdle.p50)}${floorText}`,
          ratio: 'n/a',
          target: '< 10 ms',
          pass: verdict(p99.median < 10 && healthFailures === 0),
          noise: `p99 ${range(p99, ms)}`
        })
  }

  if (results.verification !== undefined) {
    const v = results.verification
    const value = spread(v.runs.map(r => r.verifyRowsPerSecond))
    const bare = spread(v.runs.map(r => r.bareRowsPerSecond))
    const ratios = spread(v.runs.map(r => r.verifyRowsPerSecond / r.bareRowsPerSecond))
    const ratio = value.median / bare.median
    rows.push({
      figure: v.method === 'GET /verify'
        ? `6. verification (GET /verify over ${n0(v.rows)} rows)`
        : `6. verification (LogVerifier over ${n0(v.rows)} rows from PostgreSQL, pages of ${v.pageSize})`,
      value: `${n0(value.median)} rows/s${v.httpError !== undefined ? ` (GET /verify failed: ${v.httpError.slice(0, 120)})` : ''}`,
      ceiling: `bare canonical JSON + chain hash + leaf hash ${n0(bare.median)} rows/s`,
      ratio: `${n2(ratio)}x`,
      target: '>= 0.5x',
      pass: verdict(ratio >= 0.5),
      noise: `verifier ${range(value, n0)}${pct(value)}; bare ${range(bare, n0)}${pct(bare)}; ratio ${range(ratios, n2)}`
    })
  }

  {
    const { apiBytes, workerBytes } = results.peakRss
    const known = workerBytes.filter((b): b is number => b !== undefined)
    const worker = known.length === 0 ? Number.NaN : Math.max(...known)
    rows.push({
      figure: '7a. API peak RSS (VmHWM, whole run)',
      value: apiBytes === undefined ? 'n/a' : mb(apiBytes),
      ceiling: 'n/a',
      ratio: 'n/a',
      target: '< 150 MB',
      pass: apiBytes === undefined ? 'n/a' : verdict(apiBytes < 150 * 2 ** 20),
      noise: '1 process'
    })
    if (results.baseline !== undefined) {
      const base = results.peakRss.baselineApiBytes
      // The service's API ran the same figures (and any before them: 6); its peak after them.
      const after = results.peakRss.apiAfter
      const service = after['figure 2 (batch ingest)'] ?? after['figure 1 (single-event ingest)']
      rows.push({
        figure: `7a. API peak RSS, baseline ${results.baseline.ref} (VmHWM, figures 1 and 2 only)`,
        value: base === undefined ? 'n/a' : mb(base),
        ceiling: `service's API after the same figures: ${service === undefined ? 'n/a' : mb(service)}`,
        ratio: 'n/a',
        target: '< 150 MB',
        pass: base === undefined ? 'n/a' : verdict(base < 150 * 2 ** 20),
        noise: '1 process'
      })
    }
    rows.push({
      figure: '7b. worker peak RSS (VmHWM, max over worker processes)',
      value: known.length === 0 ? 'n/a' : mb(worker),
      ceiling: 'n/a',
      ratio: 'n/a',
      target: '< 200 MB',
      pass: known.length === 0 ? 'n/a' : verdict(worker < 200 * 2 ** 20),
      noise: `${known.length} processes: ${known.map(mb).join(', ')}`
    })
  }
  if (results.reads !== undefined) {
    const slowest = results.reads.queries.reduce((a, b) => (b.median_ms > a.median_ms ? b : a))
    const medians = results.reads.queries.map(q => q.median_ms)
    rows.push({
      figure: `8. filtered page (100 rows) at ${n0(results.reads.rows)} events, slowest of ${medians.length} (${new Set(results.reads.queries.map(q => q.name)).size} filters, asc and desc)`,
      value: `${ms(slowest.median_ms)} (${slowest.name}, ${slowest.order})`,
      ceiling: 'n/a',
      ratio: 'n/a',
      target: '< 50 ms',
      pass: verdict(slowest.median_ms < 50),
      noise: `medians ${ms(Math.min(...medians))}-${ms(Math.max(...medians))}; plans in docs/read-queries.md`
    })
  }
  if (results.heavyReads !== undefined) {
    const h = results.heavyReads
    const valid = h.verifies.every(v => v.status === 200 && v.body.valid === true && v.body.checked === h.rows) &&
      h.exports.every(e => e.status === 200 && e.tail.includes(`{"type":"end","records":${h.rows}}`))
    rows.push({
      figure: `9. /health/live p99 under 2 verifies + 2 exports (${n0(h.rows)} rows, ${n0(h.checkpoints)} checkpoints)`,
      value: `p99 ${ms(h.health.p99)}, p50 ${ms(h.health.p50)}, max ${ms(h.health.max)} over ${n0(h.health.probes)} probes; reads ${n1(h.seconds)} s${valid ? '' : ', a read FAILED'}${h.health.failures > 0 ? `, ${h.health.failures} probe failures` : ''}`,
      ceiling: 'n/a',
      ratio: 'n/a',
      target: '< 50 ms',
      pass: verdict(h.health.p99 < 50 && h.health.failures === 0 && valid),
      noise: `1 run; log written in ${n1(h.seedSeconds)} s`
    })
  }
  rows.push(...clusterRows(results))
  return rows
}
