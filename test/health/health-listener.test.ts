import t from 'tap'
import type { Worker } from 'node:worker_threads'
import { HealthListener } from '../../src/health/health-listener.js'
import { waitFor } from '../helper.js'

const get = async (port: number, path: string) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`)
  return { status: res.status, text: await res.text() }
}

t.test('posts what `read` returns, holds a final reading on shutdown, frees the port on close', async t => {
  const errors: string[] = []
  const listener = new HealthListener({ host: '127.0.0.1', port: 0, staleAfterMs: 3000, log: { error: (_obj, msg) => { errors.push(msg) }, info: () => {} } })
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

t.test('a thread that dies is restarted on the same port and answers with the latest reading', async t => {
  const errors: string[] = []
  const infos: string[] = []
  const threads: Worker[] = []
  const listener = new HealthListener({
    host: '127.0.0.1',
    port: 0,
    staleAfterMs: 3000,
    log: { error: (_obj, msg) => { errors.push(msg) }, info: (_obj, msg) => { infos.push(msg) } },
    onThread: thread => { threads.push(thread) }
  })
  t.teardown(() => listener.close())
  const port = await listener.start()
  listener.report(async () => ({ statusCode: 200, body: '{"status":"ok"}' }), 20)
  const answer = async () => { try { return await get(port, '/health') } catch { return undefined } }
  await waitFor(async () => (await answer())?.status === 200, { what: 'the first reading' })

  // Killed from outside, as an out-of-memory or a crash would end it.
  await threads[0]!.terminate()
  t.match(errors, [/health thread exited: HEALTH_PORT \d+ does not answer until it is restarted in 1000 ms/])
  const again = await waitFor(async () => { const res = await answer(); return res?.status === 200 ? res : undefined }, { what: 'the restarted thread' })
  t.equal(again.text, '{"status":"ok"}', 'the latest reading, posted to the new thread')
  t.equal(threads.length, 2, 'one new thread')
  t.match(infos, [new RegExp(`health thread restarted: HEALTH_PORT ${port} answers again`)])

  await listener.close()
  await t.rejects(get(port, '/health'), 'nothing listens after close')
  t.equal(errors.length, 1, 'a requested close is not a death')
})
