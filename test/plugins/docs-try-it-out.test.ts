import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { exampleEventId } from '../../src/schemas/examples.js'
import { launchChromium } from '../browser.js'
import { openDatabase, ROOT, startTestWorker, TEST_ADMIN_KEY, testConfig, waitForQueueIdle } from '../helper.js'

// What a new user does on /docs: read how to get a key, authorize with one, then "Try it out"
// on POST /audit-events with the prefilled example, twice. The example carries an id, so the
// second press answers `duplicate: true` and the event is stored once. The screenshot of the
// answered operation is kept in docs/screenshots/ for the README.
const SCREENSHOT = join(ROOT, 'docs', 'screenshots', 'docs-try-it-out.png')
const OPERATION = '#operations-events-createAuditEvent'

t.test('on /docs, Authorize then Execute POST /audit-events twice: 202, then the duplicate answer, one event stored', async t => {
  const browser = await launchChromium(t)
  if (browser === undefined) return

  const config = await testConfig(t)
  const app = await buildApp({ config })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  if (address === null || typeof address === 'string') throw new Error('the app is not listening on a TCP port')
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const pageErrors: string[] = []
  page.on('pageerror', err => pageErrors.push(err.message))
  await page.goto(`http://127.0.0.1:${address.port}/docs`, { waitUntil: 'load' })
  await page.waitForSelector(`.swagger-ui ${OPERATION}`, { timeout: 30_000 })

  const intro = await page.locator('.swagger-ui .information-container .description').innerText()
  t.match(intro, /audit-service keys create --tenant default --scopes events:write/, 'the page says how to create a key with the CLI')
  t.match(intro, /ADMIN_API_KEY/, 'and names the bootstrap admin key')
  for (const header of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'Retry-After', 'AUDIT_ERR_RATE_LIMITED']) {
    t.match(intro, header, `the page explains rate limits: ${header}`)
  }

  // Authorize: the dialog of the bearer scheme takes the key and keeps it for every request.
  await page.locator('.swagger-ui .auth-wrapper button.authorize').click()
  await page.locator('.swagger-ui .modal-ux #auth-bearer-value').fill(TEST_ADMIN_KEY)
  await page.locator('.swagger-ui .modal-ux button.modal-btn.authorize').click()
  await page.locator('.swagger-ui .modal-ux button.btn-done').click()
  await page.locator('.swagger-ui .modal-ux').waitFor({ state: 'detached' })
  t.ok(await page.locator('.swagger-ui .auth-wrapper button.authorize.locked').count(), 'the Authorize button shows the lock closed')

  const operation = page.locator(`.swagger-ui ${OPERATION}`)
  await operation.locator('.opblock-summary').click()
  await operation.locator('button.try-out__btn').click()
  const prefilled = JSON.parse(await operation.locator('textarea.body-param__text').inputValue()) as { id?: string }
  t.equal(prefilled.id, exampleEventId, 'the prefilled example event carries an id')

  const execute = async () => {
    const answered = page.waitForResponse(r => r.request().method() === 'POST' && new URL(r.url()).pathname === '/audit-events')
    await operation.locator('button.execute').click()
    const response = await answered
    t.equal(response.request().headers().authorization, `Bearer ${TEST_ADMIN_KEY}`, 'the request carries the key entered in Authorize')
    t.equal((JSON.parse(response.request().postData() ?? '{}') as { id?: string }).id, exampleEventId, 'and the example with its id')
    return response.status()
  }
  // The rendered answer: the status column and the pretty-printed body of the live response.
  const rendered = async (duplicate: boolean) => {
    const live = operation.locator('.live-responses-table .response')
    await live.locator('.response-col_description').filter({ hasText: `"duplicate": ${duplicate}` }).waitFor({ timeout: 20_000 })
    return {
      status: (await live.locator('.response-col_status').innerText()).trim(),
      body: JSON.parse(await live.locator('.response-col_description .microlight').first().innerText()) as { id: string, status: string, duplicate: boolean, receipt?: string },
      headers: await live.locator('.response-col_description').innerText()
    }
  }

  t.equal(await execute(), 202, 'the first Execute is answered 202')
  const first = await rendered(false)
  t.equal(first.status, '202', 'the page shows 202')
  t.match(first.body, { id: exampleEventId, status: 'accepted', duplicate: false }, 'and the accepted event, new')
  t.match(first.headers, /x-ratelimit-remaining/, 'and the rate-limit headers of the answer')

  t.equal(await execute(), 202, 'Execute again: 202 as well')
  const second = await rendered(true)
  t.equal(second.status, '202', 'the page shows 202')
  t.match(second.body, { id: exampleEventId, status: 'accepted', duplicate: true }, 'and the duplicate answer for the same id')

  // Once the queue holds nothing that could still write a row, the rows are all there will be.
  await waitForQueueIdle(app.eventQueue, 'the example event to be stored')
  const stored = await db.selectFrom('audit_events').select(['id', 'actor_id']).where('tenant', '=', config.defaultTenant).execute()
  t.same(stored, [{ id: exampleEventId, actor_id: 'u_123' }], 'the example event is stored, once')

  // The read operation is prefilled with the example's id: Execute shows the stored event.
  const read = page.locator('.swagger-ui #operations-events-getAuditEvent')
  await read.locator('.opblock-summary').click()
  await read.locator('button.try-out__btn').click()
  const readAnswer = page.waitForResponse(r => r.request().method() === 'GET' && new URL(r.url()).pathname === `/audit-events/${exampleEventId}`)
  await read.locator('button.execute').click()
  const readResponse = await readAnswer
  t.equal(readResponse.status(), 200, `GET ${readResponse.url()} answers 200`)
  t.match(await readResponse.json(), { id: exampleEventId, record: { actor: { id: 'u_123' } } }, 'with the stored example event')

  // The list is prefilled with every filter's example and a cursor: together one query that
  // the service accepts and that finds the example event.
  const list = page.locator('.swagger-ui #operations-events-listAuditEvents')
  await list.locator('.opblock-summary').click()
  await list.locator('button.try-out__btn').click()
  const listAnswer = page.waitForResponse(r => r.request().method() === 'GET' && new URL(r.url()).pathname === '/audit-events')
  await list.locator('button.execute').click()
  const listResponse = await listAnswer
  const listUrl = new URL(listResponse.url())
  t.ok(listUrl.searchParams.has('cursor') && listUrl.searchParams.has('actor.id'), `the prefilled query has its filters and cursor: ${listUrl.search}`)
  t.equal(listResponse.status(), 200, 'GET /audit-events with every example answers 200')
  t.same((await listResponse.json() as { items: Array<{ id: string }> }).items.map(i => i.id), [exampleEventId], 'and finds the example event')

  t.same(pageErrors, [], 'no JavaScript error on the page')

  await mkdir(join(ROOT, 'docs', 'screenshots'), { recursive: true })
  // From the operation's title to the server's answer (the declared responses below are long).
  // With the page scrolled to the top, bounding boxes are in the full page's coordinates.
  await page.evaluate('window.scrollTo(0, 0)')
  const top = await operation.boundingBox()
  const bottom = await operation.locator('.live-responses-table').boundingBox()
  if (top === null || bottom === null) throw new Error('the operation is not rendered')
  const clip = { x: top.x, y: top.y, width: top.width, height: bottom.y + bottom.height - top.y }
  await page.screenshot({ path: SCREENSHOT, fullPage: true, clip })
  t.ok(existsSync(SCREENSHOT), `screenshot saved to ${SCREENSHOT}`)
})
