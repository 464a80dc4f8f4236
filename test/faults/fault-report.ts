import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

/** One line of the report: what a fault did to the events sent through it. */
export interface FaultRow {
  fault: string
  sent: number
  accepted: number
  stored: number
  duplicates: number
  lost: number
  chainValid: boolean
  seconds: number
  notes: string
}

export const REPORT_FILE = fileURLToPath(new URL('results/latest.md', import.meta.url))

const HEAD = ['fault', 'events sent', 'accepted', 'stored', 'duplicates', 'lost', 'chain valid', 'time', 'notes']

/** The report as a Markdown table. */
export function formatReport (rows: FaultRow[]): string {
  const cells = rows.map(r => [r.fault, String(r.sent), String(r.accepted), String(r.stored), String(r.duplicates),
    String(r.lost), r.chainValid ? 'yes' : 'NO', `${r.seconds.toFixed(0)} s`, r.notes])
  const widths = HEAD.map((h, i) => Math.max(h.length, ...cells.map(c => c[i]!.length)))
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`
  return [line(HEAD), `|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n')
}

/**
 * Writes the table to test/faults/results/latest.md (ignored by git) and returns it, so the
 * suite can also print it as TAP comments.
 */
export function writeReport (rows: FaultRow[], header: string): string {
  const table = formatReport(rows)
  mkdirSync(dirname(REPORT_FILE), { recursive: true })
  writeFileSync(REPORT_FILE, `# Fault suite\n\n${header}\n\n${table}\n`)
  return table
}
