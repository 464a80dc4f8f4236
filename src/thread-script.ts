import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

/**
 * What to hand `new Worker` for the thread module `name` (without extension) beside the
 * caller's module. Compiled, the caller sits next to `name.js`, which the thread loads as is.
 * Run from the sources (tests: .ts through a loader), there is no .js beside it, and Node 20
 * does not carry ESM loader hooks into a worker; so the thread registers tsx's ESM hooks
 * itself and imports the .ts (tsx is a dev dependency, never loaded from dist/). Its require
 * hook alone would not do: ESM-only packages (canonicalize) cannot be required.
 */
export function threadScript (callerUrl: string, name: string): { script: string | URL, eval: boolean } {
  if (!callerUrl.endsWith('.ts')) return { script: new URL(`./${name}.js`, callerUrl), eval: false }
  // require.resolve finds the package's CommonJS build; its ES module sits beside it.
  const tsx = pathToFileURL(createRequire(callerUrl).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href
  const thread = new URL(`./${name}.ts`, callerUrl).href
  return { script: `import(${JSON.stringify(tsx)}).then(tsx => { tsx.register(); return import(${JSON.stringify(thread)}) })`, eval: true }
}
