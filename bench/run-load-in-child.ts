import { once } from 'node:events'
import { join } from 'node:path'
import { startChild } from './child-service.js'
import type { LoadOptions, LoadResult } from './run-load.js'
import { repoRoot } from './repo-root.js'

/** Runs {@link runLoad} in a child process (dist/bench/autocannon-child.js). */
export async function runLoadInChild (name: string, options: LoadOptions): Promise<LoadResult> {
  const script = join(repoRoot(), 'dist', 'bench', 'autocannon-child.js')
  const child = startChild(name, script, [JSON.stringify(options)], process.env, { stdout: 'pipe' })
  const chunks: Buffer[] = []
  child.process.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk))
  const [code] = await once(child.process, 'exit') as [number | null]
  await child.stop()
  if (code !== 0) throw new Error(`${name} exited with ${code}`)
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as LoadResult
}
