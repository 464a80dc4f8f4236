import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import ts from 'typescript'
import { ROOT } from '../helper.js'
import { onExitCleanup } from './exit-cleanup.js'

const SOURCE_DIRS = ['src', 'workers', 'migrations']

/**
 * The service, transpiled once for the whole suite (TypeScript's transpileModule: no type
 * check, a second or two) into node_modules/.cache, where its imports still resolve to the
 * project's node_modules. The suite starts about 25 processes on what may be a busy 2-core
 * machine; `node --import tsx` costs each of them over a second more CPU than plain JS, and
 * `dist/` may be stale or rebuilt by someone else mid-run. It is also a snapshot: an edit to
 * src/ while the suite runs does not change the processes it starts halfway through.
 *
 * FAULT_SRC_OVERLAY=<dir> runs the suite against candidate changes without touching src/
 * (others edit it): a file <dir>/src/store/database.ts is used instead of src/store/database.ts.
 *
 * Returns the path of the transpiled cli.js and a function that removes the directory.
 */
export function transpileService (): { cli: string, remove: () => void } {
  const outDir = join(ROOT, 'node_modules', '.cache', `audit-faults-${process.pid}`)
  const remove = () => rmSync(outDir, { recursive: true, force: true })
  const unregister = onExitCleanup(remove)
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: d => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')) }
  })
  // ESNext: transpileModule cannot see package.json "type": "module", which nodenext reads.
  const compilerOptions = { ...config!.options, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, sourceMap: false, inlineSourceMap: true, inlineSources: false, declaration: false }
  for (const dir of SOURCE_DIRS) {
    for (const file of walk(join(ROOT, dir))) {
      if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue
      const overlay = process.env.FAULT_SRC_OVERLAY === undefined ? undefined : join(process.env.FAULT_SRC_OVERLAY, relative(ROOT, file))
      const source = overlay !== undefined && existsSync(overlay) ? overlay : file
      const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), { compilerOptions, fileName: file })
      const target = join(outDir, relative(ROOT, file)).replace(/\.ts$/, '.js')
      mkdirSync(dirname(target), { recursive: true })
      writeFileSync(target, outputText)
    }
  }
  writeFileSync(join(outDir, 'package.json'), JSON.stringify({ type: 'module' }))
  return { cli: join(outDir, 'src', 'cli.js'), remove: () => { unregister(); remove() } }
}

function * walk (dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield * walk(path)
    else yield path
  }
}
