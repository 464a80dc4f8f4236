import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { OPENAPI_PATH } from '../scripts/generate-openapi.js'
import { ROOT } from './helper.js'

// The committed document is linted; test/openapi-drift.test.ts proves it is the current one.
// The rules are redocly.yaml's (the `recommended` set, operationIds and examples required);
// the few deliberate exceptions are in .redocly.lint-ignore.yaml, each with its reason.
const REDOCLY = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js')

interface LintProblem { ruleId: string, severity: 'error' | 'warn', message: string, location: Array<{ pointer: string }> }
interface LintReport { totals: { errors: number, warnings: number, ignored: number }, problems: LintProblem[] }

const describe = (p: LintProblem) => `${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`

t.test('openapi/openapi.json passes `redocly lint` with no error', async t => {
  t.ok(existsSync(REDOCLY), `@redocly/cli is not installed (${REDOCLY} is missing): it is a devDependency, run npm ci`)
  if (!existsSync(REDOCLY)) return
  let stdout: string
  try {
    ({ stdout } = await promisify(execFile)(process.execPath, [REDOCLY, 'lint', 'openapi/openapi.json', '--format=json'], {
      cwd: ROOT,
      // Offline and quiet: no usage reports, no update check.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 60_000
    }))
  } catch (err) {
    // Exit code 1 = problems found: the report is still on stdout.
    const { stdout: out, stderr } = err as { stdout?: string, stderr?: string }
    if (out === undefined || !out.trimStart().startsWith('{')) throw new Error(`redocly lint did not run: ${stderr ?? String(err)}`)
    stdout = out
  }
  const report = JSON.parse(stdout) as LintReport
  const errors = report.problems.filter(p => p.severity === 'error')
  t.same(errors.map(describe), [], 'no lint error (fix the route schemas, then npm run openapi)')
  t.equal(report.totals.errors, 0, 'the linter counts no error')
  for (const warning of report.problems.filter(p => p.severity !== 'error')) t.comment(`warning: ${describe(warning)}`)
})

// What redocly.yaml asks for, checked directly as well, so that a lost configuration cannot
// let an operation without an id or an example through.
t.test('every operation has an operationId and examples for its parameters and bodies', async t => {
  const doc = JSON.parse(await readFile(OPENAPI_PATH, 'utf8'))
  const missing: string[] = []
  const seenIds = new Set<string>()
  const hasExample = (o: Record<string, unknown>) => o.example !== undefined || o.examples !== undefined
  for (const [path, item] of Object.entries<Record<string, Record<string, any>>>(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const name = `${method.toUpperCase()} ${path}`
      if (typeof op.operationId !== 'string') missing.push(`${name}: operationId`)
      else if (seenIds.has(op.operationId)) missing.push(`${name}: operationId ${op.operationId} is used twice`)
      else seenIds.add(op.operationId)
      for (const p of op.parameters ?? []) if (!hasExample(p)) missing.push(`${name}: example of ${p.in} parameter ${p.name}`)
      for (const [type, media] of Object.entries<Record<string, unknown>>(op.requestBody?.content ?? {})) {
        if (!hasExample(media)) missing.push(`${name}: example of the ${type} request body`)
      }
      for (const [status, response] of Object.entries<Record<string, any>>(op.responses ?? {})) {
        for (const [type, media] of Object.entries<Record<string, unknown>>(response.content ?? {})) {
          if (!hasExample(media)) missing.push(`${name}: example of the ${status} ${type} response`)
        }
      }
    }
  }
  t.same(missing, [], 'nothing is missing')
  t.ok(seenIds.size > 0, 'the document has operations')
})
