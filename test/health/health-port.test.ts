import t from 'tap'
import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { Value } from 'typebox/value'
import { HealthResponse } from '../../src/schemas/health.js'
import { freePort } from '../faults/free-port.js'
import { buildTestApp, runCli, testConfig, testEnv, waitFor } from '../helper.js'

const get = async (port: number, path: string, method = 'GET') => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method })
  return { status: res.status, headers: res.headers, text: await res.text() }
}

const canListen = async (port: number) => {
  const server = createServer()
  server.listen(port, '127.0.0.1')
  const [event] = await Promise.race([once(server, 'listening').then(() => ['listening']), once(server, 'error')]) as [unknown]
  if (event === 'listening') await new Promise(resolve => server.close(resolve))
  return event === 'listening'
}

// Polls the health port from another process until it answers 503. Run with spawnSync, so
// the test's own event loop (which is the API's main thread) is blocked the whole time.
const pollUntil503 = `
const base = process.argv[1]
const deadline = Date.now() + 30000
for (;;) {
  const health = await fetch(base + '/health')
  const body = await health.text()
  if (health.status === 503) {
    const live = await fetch(base + '/health/live')
    console.log(JSON.stringify({ health: { status: 503, body }, live: { status: live.status, body: await live.text() } }))
    process.exit(0)
  }
  if (Date.now() > deadline) { console.log(JSON.stringify({ timedOut: true, last: health.status })); process.exit(1) }
  await new Promise(resolve => setTimeout(resolve, 50))
}`

t.test('the health thread serves the main thread\'s reading, and 503 when the main loop stops reporting', async t => {
  const healthPort = await freePort()
  // One reading for the whole test, so both ports answer the very same one.
  const app = await buildTestApp(t, await testConfig(t, { HEALTH_PORT: String(healthPort), HEALTH_CACHE_MS: '60000' }))
  await app.ready()
  const starting = await get(healthPort, '/health')
  t.equal(starting.status, 503, 'bound once ready, but nothing posted before the main port listens')
  t.match(JSON.parse(starting.text), { status: 'unavailable', reasons: [/^starting/] })
  t.equal((await get(healthPort, '/health/live')).status, 503)

  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port: mainPort } = app.server.address() as { port: number }
  await waitFor(async () => (await get(healthPort, '/health')).status === 200, { what: 'the first reading on the health port' })

  const threaded = await get(healthPort, '/health')
  const main = await get(mainPort, '/health')
  const injected = await app.inject({ method: 'GET', url: '/health' })
  t.equal(threaded.status, main.status)
  t.equal(threaded.text, main.text, 'the same JSON text as the main port')
  t.equal(threaded.text, injected.body)
  t.match(JSON.parse(threaded.text), { status: 'ok', checks: { postgres: { status: 'up' }, redis: { status: 'up' } } })
  t.equal(threaded.headers.get('content-type'), 'application/json; charset=utf-8')
  t.equal(threaded.headers.get('content-type'), main.headers.get('content-type'))
  t.equal(threaded.headers.get('cache-control'), 'no-store')

  const live = await get(healthPort, '/health/live')
  t.equal(live.status, 200)
  t.same(JSON.parse(live.text), { status: 'ok' })
  const head = await get(healthPort, '/health', 'HEAD')
  t.equal(head.status, 200)
  t.equal(head.text, '')
  const missing = await get(healthPort, '/audit-events')
  t.equal(missing.status, 404)
  t.same(JSON.parse(missing.text), { statusCode: 404, code: 'AUDIT_ERR_NOT_FOUND', error: 'Not Found', message: 'no route GET /audit-events' })
  const post = await get(healthPort, '/health', 'POST')
  t.equal(post.status, 405)
  t.equal(post.headers.get('allow'), 'GET, HEAD')

  // Block this thread (the API's main thread) until another process sees the health port say 503.
  const polled = spawnSync(process.execPath, ['--input-type=module', '-e', pollUntil503, `http://127.0.0.1:${healthPort}`], { encoding: 'utf8', timeout: 60_000 })
  t.equal(polled.status, 0, polled.stderr + polled.stdout)
  const seen = JSON.parse(polled.stdout)
  const stale = JSON.parse(seen.health.body)
  t.ok(Value.Check(HealthResponse, stale), 'a valid HealthResponse')
  t.equal(stale.status, 'unavailable')
  t.match(stale.reasons, [/^the API's event loop has not reported for \d+ ms \(limit 3000 ms\)/])
  t.equal(seen.live.status, 503, '/health/live speaks for the API, not for the thread')
  t.match(JSON.parse(seen.live.body), { status: 'unavailable', reasons: [/has not reported/] })

  await waitFor(async () => (await get(healthPort, '/health')).status === 200, { what: 'the health port to recover' })
  t.equal((await get(healthPort, '/health/live')).status, 200)

  await app.close()
  t.ok(await canListen(healthPort), 'the health port is free after app.close()')
})

t.test('a HEALTH_PORT already in use fails start-up, naming it', async t => {
  const taken = createServer()
  taken.listen(await freePort(), '127.0.0.1')
  await once(taken, 'listening')
  t.teardown(() => new Promise(resolve => taken.close(resolve)))
  const port = (taken.address() as { port: number }).port

  const config = await testConfig(t, { HEALTH_PORT: String(port) })
  const app = await buildTestApp(t, config)
  await t.rejects(async () => { await app.ready() }, { message: new RegExp(`^HEALTH_PORT: the health listener cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`) })

  // The real entry point: exits at once with the error, rather than serving without it.
  const cli = await runCli('api', [], { ...testEnv(config), PORT: '0', HEALTH_PORT: String(port) })
  t.equal(cli.status, 1)
  t.match(cli.stderr, /HEALTH_PORT: the health listener cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/)
})
