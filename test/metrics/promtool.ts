import { spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/**
 * promtool (Debian's `prometheus` package; .ci/run installs it). PROMTOOL names another one.
 * Missing, it is an error, not a skip: these tests are the proof that the metrics and the
 * alert rules hold, and a run without them must not pass for one that checked.
 */
export function promtoolPath (): string {
  return prometheusTool('promtool', 'PROMTOOL')
}

/** The Prometheus server of the same package; PROMETHEUS names another one. */
export function prometheusPath (): string {
  return prometheusTool('prometheus', 'PROMETHEUS')
}

function prometheusTool (name: string, variable: string): string {
  const set = process.env[variable]
  const candidates = set !== undefined
    ? [set]
    : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map(dir => join(dir, name))
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK)
      return path
    } catch {}
  }
  throw new Error(`${name} not found (${set !== undefined ? `${variable}=${set}` : 'not in PATH'}): install Debian's prometheus package (sudo apt-get install prometheus; .ci/run does it) or set ${variable} to its path`)
}

/** Runs promtool with `args`, `input` on its stdin; resolves with its exit status and output. */
export async function promtool (args: string[], input = ''): Promise<{ status: number | null, output: string }> {
  const child = spawn(promtoolPath(), args, { stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d: Buffer) => { output += d.toString() })
  child.stderr.on('data', (d: Buffer) => { output += d.toString() })
  child.stdin.end(input)
  const status = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  return { status, output }
}
