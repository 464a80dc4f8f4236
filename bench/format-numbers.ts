import type { TableRow } from './format-table.js'
import type { Spread } from './spread.js'

/** How the table writes numbers: thousands separated, `n/a` for what was not measured. */
export const n0 = (x: number) => Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a'
export const n1 = (x: number) => Number.isFinite(x) ? (x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US')) : 'n/a'
export const n2 = (x: number) => Number.isFinite(x) ? x.toFixed(2) : 'n/a'
export const ms = (x: number) => `${Number.isFinite(x) ? Math.round(x * 10) / 10 : 'n/a'} ms`
export const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`
/** The min-max of the runs (the noise), or the one value. */
export const range = (s: Spread, fmt: (x: number) => string) => s.values.length < 2 ? `${fmt(s.min)} (1 run)` : `${fmt(s.min)}-${fmt(s.max)}`
/** Half the range as a share of the median. */
export const pct = (s: Spread) => s.values.length < 2 || s.median === 0 ? '' : ` (±${Math.round((s.max - s.min) / 2 / s.median * 100)}%)`
export const verdict = (ok: boolean): TableRow['pass'] => ok ? 'pass' : 'FAIL'
