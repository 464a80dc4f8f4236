import { join } from 'node:path'
import { runChild } from './child-service.js'
import type { LoadOptions, LoadResult } from './run-load.js'
import { repoRoot } from './repo-root.js'

/** Runs {@link runLoad} in a child process (dist/bench/autocannon-child.js). */
export async function runLoadInChild (name: string, options: LoadOptions): Promise<LoadResult> {
  const script = join(repoRoot(), 'dist', 'bench', 'autocannon-child.js')
  return JSON.parse(await runChild(name, script, [JSON.stringify(options)], process.env)) as LoadResult
}
