import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'

export const OPENAPI_PATH = fileURLToPath(new URL('../openapi/openapi.json', import.meta.url))

/** The OpenAPI document as the code describes it, serialised the way it is committed. */
export async function renderOpenapi (): Promise<string> {
  // Nothing is contacted: the document comes from the route schemas alone.
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', REDIS_URL: 'redis://127.0.0.1:1', SIGNING_KEY: '00'.repeat(32) }) })
  try {
    await app.ready()
    return JSON.stringify(app.swagger(), null, 2) + '\n'
  } finally {
    await app.close()
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await writeFile(OPENAPI_PATH, await renderOpenapi())
  process.stdout.write(`wrote ${OPENAPI_PATH}\n`)
}
