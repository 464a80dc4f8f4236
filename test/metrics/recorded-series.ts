/** One scrape of every target, at one moment (seconds since the epoch). */
export interface Scrape {
  at: number
  /** Target name (the `job` label) -> its exposition text, or undefined when the scrape failed. */
  bodies: Record<string, string | undefined>
}

/** One test group of a `promtool test rules` file: the series and what must be firing. */
export interface RuleTestGroup {
  interval: string
  input_series: Array<{ series: string, values: string }>
  promql_expr_test: Array<{ expr: string, eval_time: string, exp_samples: Array<{ labels: string, value: number }> }>
}

/**
 * How many seconds of promtool's clock one second of the test stands for. The alerts wait
 * minutes (`for: 5m`, ages over 600 s) and a test cannot: the processes are scraped about
 * once a real second, each scrape becomes one minute of recorded series, and every figure
 * that is a time on the clock is stretched the same way, so that ages and `time()` agree:
 * an age gauge (which grows one second per real second while its state lasts) is multiplied
 * by it, a timestamp is mapped onto promtool's clock. Counters and durations of work
 * (histograms) are left as scraped.
 */
export const DILATION = 60

/** Gauges whose value is the age of something, in seconds. */
const AGES = new Set(['audit_queue_lag_seconds', 'audit_checkpoint_age_seconds', 'audit_oldest_awaiting_checkpoint_seconds'])
const isTimestamp = (name: string) => name.endsWith('_timestamp_seconds') || name.endsWith('process_start_time_seconds')

/** The samples of an exposition text: series (name and labels as written) -> value. */
export function parseSamples (text: string): Map<string, { name: string, labels: string, value: number }> {
  const samples = new Map<string, { name: string, labels: string, value: number }>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line)
    if (match === null) throw new Error(`not a sample line: ${line}`)
    const [, name, labels = '', raw] = match
    samples.set(`${name}${labels}`, { name: name!, labels, value: Number(raw) })
  }
  return samples
}

const withTarget = (labels: string, job: string) => {
  const extra = `job="${job}",instance="${job}:9464"`
  return labels === '' || labels === '{}' ? `{${extra}}` : `${labels.slice(0, -1)},${extra}}`
}

const format = (n: number) => Number.isNaN(n) ? 'NaN' : n === Infinity ? 'Inf' : n === -Infinity ? '-Inf' : String(Math.round(n * 1000) / 1000)

/**
 * The scrapes as promtool input series, one step per minute: scrape i lands on step
 * round(seconds since the first scrape). A series a target stopped exporting (or a target
 * that stopped answering) gets a staleness marker, as Prometheus writes one; steps without a
 * scrape have no sample. Returns the series and the step of the last scrape.
 */
export function recordedSeries (scrapes: Scrape[]): { series: Array<{ series: string, values: string }>, lastStep: number } {
  const t0 = scrapes[0]!.at
  const steps = new Map<number, Scrape>()
  for (const scrape of scrapes) steps.set(Math.round(scrape.at - t0), scrape)
  const lastStep = Math.max(...steps.keys())
  const parsed = new Map<number, Map<string, string>>()
  const names = new Set<string>()
  for (const [step, scrape] of steps) {
    const values = new Map<string, string>()
    for (const [job, body] of Object.entries(scrape.bodies)) {
      if (body === undefined) continue
      for (const { name, labels, value } of parseSamples(body).values()) {
        const dilated = AGES.has(name) ? value * DILATION : isTimestamp(name) ? (value - t0) * DILATION : value
        const key = `${name}${withTarget(labels, job)}`
        values.set(key, format(dilated))
        names.add(key)
      }
    }
    parsed.set(step, values)
  }
  const series = [...names].map(key => {
    const values: string[] = []
    let present = false
    for (let step = 0; step <= lastStep; step++) {
      const scraped = parsed.get(step)
      const value = scraped?.get(key)
      if (scraped === undefined) values.push('_')
      else if (value !== undefined) { values.push(value); present = true } else if (present) { values.push('stale'); present = false } else values.push('_')
    }
    return { series: key, values: values.join(' ') }
  })
  return { series, lastStep }
}
