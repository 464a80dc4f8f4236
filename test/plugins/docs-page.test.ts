import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { launchChromium } from '../browser.js'
import { ROOT, testConfig } from '../helper.js'

// The API documentation page (/docs, Swagger UI) as a person sees it: rendered by a real
// Chromium, every operation of the OpenAPI document listed, and a screenshot kept in
// docs/screenshots/ to look at. Chromium: see test/browser.ts.
const SCREENSHOT = join(ROOT, 'docs', 'screenshots', 'docs-page.png')
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])

t.test('GET /docs renders every operation of the OpenAPI document in Chromium', async t => {
  const browser = await launchChromium(t)
  if (browser === undefined) return

  const app = await buildApp({ config: await testConfig(t) })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('the app is not listening on a TCP port')
  const base = `http://127.0.0.1:${address.port}`

  const expected = new Set<string>()
  const paths = (app.swagger().paths ?? {}) as Record<string, Record<string, unknown>>
  for (const [path, item] of Object.entries(paths)) {
    for (const method of Object.keys(item)) if (HTTP_METHODS.has(method)) expected.add(`${method.toUpperCase()} ${path}`)
  }
  t.ok(expected.size > 0, 'the OpenAPI document has operations')

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const pageErrors: string[] = []
  const failedRequests: string[] = []
  page.on('pageerror', err => pageErrors.push(err.message))
  page.on('requestfailed', request => failedRequests.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText ?? '?'}`))

  const response = await page.goto(`${base}/docs`, { waitUntil: 'load' })
  t.equal(response?.status(), 200, 'GET /docs answers 200 (after redirects)')
  // Swagger UI fetches the document, then renders one .opblock per operation.
  await page.waitForSelector('.swagger-ui .information-container .title', { timeout: 30_000 })
  await page.waitForFunction(`document.querySelectorAll('.swagger-ui .opblock').length >= ${expected.size}`, undefined, { timeout: 30_000 })

  t.match(await page.locator('.swagger-ui .information-container .title').innerText(), /audit-service/, 'the page shows the API title')
  t.equal(await page.locator('.swagger-ui .errors-wrapper').count(), 0, 'Swagger UI reports no error loading the document')

  const listed = await page.$$eval('.swagger-ui .opblock', blocks => blocks.map(block => {
    const method = block.querySelector('.opblock-summary-method')?.textContent ?? ''
    const pathElement = block.querySelector('.opblock-summary-path')
    // Swagger UI puts zero-width spaces into long paths so that they can wrap.
    const path = pathElement?.getAttribute('data-path') ?? pathElement?.textContent ?? ''
    return `${method.trim().toUpperCase()} ${path.replace(/\u200b/g, '').trim()}`
  }))
  const shown = new Set(listed)
  t.same([...expected].filter(op => !shown.has(op)).sort(), [], 'every operation of the document is on the page')
  t.same([...shown].filter(op => !expected.has(op)).sort(), [], 'the page lists no operation the document lacks')
  t.equal(listed.length, expected.size, 'each operation is listed once')

  t.same(pageErrors, [], 'no JavaScript error on the page')
  t.same(failedRequests, [], 'every request of the page succeeded (nothing is fetched from outside)')

  await mkdir(join(ROOT, 'docs', 'screenshots'), { recursive: true })
  await page.screenshot({ path: SCREENSHOT, fullPage: true })
  t.ok(existsSync(SCREENSHOT), `screenshot saved to ${SCREENSHOT}`)
})
