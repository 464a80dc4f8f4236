import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { runChild } from './child-service.js'

const execFileAsync = promisify(execFile)
const git = async (cwd: string, args: string[]) => (await execFileAsync('git', args, { cwd })).stdout.trim()

/** The code of BENCH_BASELINE_REF, checked out in a temporary git worktree and built. */
export interface BaselineBuild {
  ref: string
  commit: string
  dir: string
  /** Its `dist/src/cli.js`. */
  cli: string
  /** Whether its migrations are the service's, file for file (then it can share the bench database). */
  sameMigrations: boolean
}

// Worktrees made by this process, removed by removeBaselineWorktrees (end of run, Ctrl-C).
const created = new Map<string, () => Promise<void>>()

/**
 * `git worktree add --detach` of `ref` in a temporary directory, node_modules linked to the
 * bench's own, then `tsc -p tsconfig.build.json` there. Type errors at the ref (e.g. against
 * newer type packages in the shared node_modules) only warn when the JS was emitted.
 */
export async function buildBaseline (root: string, ref: string, log: (message: string) => void): Promise<BaselineBuild> {
  const commit = await git(root, ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`])
  const parent = mkdtempSync(join(tmpdir(), 'audit-bench-baseline-'))
  const dir = join(parent, 'audit-service')
  created.set(dir, async () => {
    const removed = await git(root, ['worktree', 'remove', '--force', dir]).then(() => true, () => false)
    rmSync(parent, { recursive: true, force: true })
    // Only when git could not remove it (or never added it): its entry goes once its directory has.
    if (!removed) await git(root, ['worktree', 'prune']).catch(() => {})
  })
  await git(root, ['worktree', 'add', '--detach', dir, commit])
  symlinkSync(realpathSync(join(root, 'node_modules')), join(dir, 'node_modules'))
  log(`baseline ${ref} (${commit.slice(0, 12)}): building in ${dir}`)
  const cli = join(dir, 'dist', 'src', 'cli.js')
  try {
    await runChild('baseline tsc', join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), ['-p', join(dir, 'tsconfig.build.json')], process.env)
  } catch (err) {
    if (!existsSync(cli)) throw err
    log(`baseline: tsc reported errors but emitted ${cli}; measuring that (${(err as Error).message.slice(0, 300)})`)
  }
  return { ref, commit, dir, cli, sameMigrations: sameFiles(join(root, 'migrations'), join(dir, 'migrations')) }
}

let removing: Promise<unknown> = Promise.resolve()

/**
 * Removes every baseline worktree this process made (and its temporary directory). Resolves
 * once earlier calls' removals are done too: the Ctrl-C handler and the run's `finally` both
 * call it, and whichever comes second must not let the process exit halfway.
 */
export async function removeBaselineWorktrees (): Promise<void> {
  const removals = [...created.values()]
  created.clear()
  removing = Promise.allSettled([removing, ...removals.map(remove => remove())])
  await removing
}

function sameFiles (a: string, b: string): boolean {
  const list = (dir: string) => existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort() : []
  const names = list(a)
  if (names.join('\n') !== list(b).join('\n')) return false
  return names.every(name => {
    const [x, y] = [join(a, name), join(b, name)]
    try {
      return readFileSync(x).equals(readFileSync(y))
    } catch {
      return true // a directory: its files are in the list
    }
  })
}
