import t from 'tap'
import { HealthListener } from '../../src/health/health-listener.js'
import { waitFor } from '../helper.js'

const get = async (port: number, path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`)
  return { status: res.status, text: await res.text() }
}

t.test('posts what `read` returns, holds a final reading on shutdown, frees the port on close', async t => {
  const errors: string[] = []
  const listener = new HealthListener({ host: '127.0.0.1', port: 0, staleAfterMs: 3000, log: { error: (_obj, msg) => { errors.push(msg) } } })
  t.teardown(() => listener.close())
  const port = await listener.start()
  t.equal((await get(port, '/health')).status, 503, 'nothing posted yet: starting')

  let reads = 0
  listener.report(async () => { reads++; return { statusCode: 200, body: `{"status":"ok","n":${reads}}` } }, 20)
  const first = await waitFor(async () => { const res = await get(port, '/health'); return res.status === 200 ? res : undefined }, { what: 'the first reading' })
  t.match(first.text, /^\{"status":"ok","n":\d+\}$/, 'the posted body, verbatim')

  listener.hold({ statusCode: 503, body: '{"status":"unavailable","reasons":["shutting down"]}' })
  const held = await waitFor(async () => { const res = await get(port, '/health'); return res.status === 503 ? res : undefined }, { what: 'the held reading' })
  t.equal(held.text, '{"status":"unavailable","reasons":["shutting down"]}')
  // Later reads never replace it.
  const readsAtHold = reads
  await waitFor(() => reads > readsAtHold + 2, { what: 'more reads after hold' })
  t.equal((await get(port, '/health')).status, 503)
  t.equal((await get(port, '/health/live')).status, 200, 'the main loop still reports while it shuts down')

  await listener.close()
  await t.rejects(get(port, '/health'), 'nothing listens after close')
  t.same(errors, [], 'a requested close is not logged as a failure')
})
