import { readFile } from 'node:fs/promises'
import t from 'tap'
import { OPENAPI_PATH, renderOpenapi } from '../scripts/generate-openapi.js'

t.test('openapi/openapi.json matches the routes (run `npm run openapi` after changing them)', async t => {
  const committed = await readFile(OPENAPI_PATH, 'utf8')
  const current = await renderOpenapi()
  t.equal(committed, current, 'the committed OpenAPI document is stale: run `npm run openapi`')
  const doc = JSON.parse(current)
  t.equal(doc.openapi, '3.1.0')
  for (const [path, methods] of Object.entries<Record<string, { responses: object, summary?: string }>>(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      t.ok(op.summary, `${method.toUpperCase()} ${path} has a summary`)
    }
  }
})
