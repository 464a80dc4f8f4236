/** One line of the results table. */
export interface TableRow {
  figure: string
  value: string
  ceiling: string
  ratio: string
  target: string
  pass: 'pass' | 'FAIL' | 'n/a'
  noise: string
}

const HEADERS: Array<[keyof TableRow, string]> = [
  ['figure', 'Figure'], ['value', 'Value'], ['ceiling', 'Ceiling'], ['ratio', 'Ratio'],
  ['target', 'Target'], ['pass', 'Pass'], ['noise', 'Noise (min-max of runs)']
]

/** A GitHub-flavoured markdown table. */
export function formatTable (rows: TableRow[]): string {
  const cell = (text: string) => text.replaceAll('|', '\\|')
  const lines = [
    `| ${HEADERS.map(([, title]) => title).join(' | ')} |`,
    `| ${HEADERS.map(() => '---').join(' | ')} |`,
    ...rows.map(row => `| ${HEADERS.map(([key]) => cell(row[key])).join(' | ')} |`)
  ]
  return lines.join('\n')
}
