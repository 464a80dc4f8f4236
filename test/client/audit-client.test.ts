import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import t from 'tap'
import { auditTrail, createAuditClient } from '../../src/client/index.js'
import { buildTestApp, countRows, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'

async function startService (t: Parameters<typeof testConfig>[0]) {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  await app.listen({ port: 0, host: '127.0.0.1' })
  await startTestWorker(t, config)
  const key = (await app.inject({ method: 'POST', url: '/keys', payload: { tenant: 'billing', name: 'billing producer', scopes: ['events:write', 'events:read'] } })).json().key as string
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const db = openDatabase(t, config.databaseUrl)
  // The key's own audit.key.create is seq 1 of billing's chain: the tests count from there.
  await waitFor(async () => await countRows(db, 'billing') === 1, { what: 'the key\'s audit.key.create' })
  return { config, app, key, url, db }
}

t.test('a producer Fastify app records every mutating request through the client', async t => {
  const { key, url, db, app } = await startService(t)
  const client = createAuditClient({ url, apiKey: key, flushIntervalMs: 20 })
  const producer = Fastify()
  await producer.register(auditTrail, {
    client,
    source: { service: 'billing', version: '2.1.0' },
    actor: request => {
      const user = request.headers['x-user']
      return typeof user === 'string' ? { type: 'user', id: user } : undefined
    }
  })
  producer.post('/invoices', async (_req, reply) => reply.code(201).send({ ok: true }))
  producer.delete('/invoices/:id', async (_req, reply) => reply.code(404).send({ ok: false }))
  producer.get('/invoices', async () => [])

  await producer.inject({ method: 'POST', url: '/invoices', headers: { 'x-user': 'u_7' }, payload: { amount: 12, card_number: '4111 1111 1111 1111' } })
  await producer.inject({ method: 'DELETE', url: '/invoices/inv_9' })
  await producer.inject({ method: 'GET', url: '/invoices' })
  await producer.close() // flushes the client

  await waitFor(async () => await countRows(db, 'billing') === 1 + 2, { what: 'two audited requests' })
  const items = (await app.inject({ method: 'GET', url: '/audit-events?tenant=billing&seq_from=2' })).json().items
  t.match(items[0].record, {
    action: 'http.post',
    actor: { type: 'user', id: 'u_7' },
    target: { type: 'route', id: '/invoices' },
    outcome: 'success',
    source: { service: 'billing', version: '2.1.0' },
    metadata: { method: 'POST', route: '/invoices', status: 201 }
  })
  t.match(items[1].record, { action: 'http.delete', actor: { type: 'anonymous' }, target: { id: '/invoices/:id' }, outcome: 'failure', metadata: { status: 404, params: { id: 'inv_9' } } })
})

t.test('a 409 that says the id is still being accepted is retried; the events land once', async t => {
  const { key, url, db } = await startService(t)
  // The first attempt meets another request's claim on its ids (as the service answers then).
  let refused = 0
  let forwarded = 0
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', c => chunks.push(c))
    req.on('end', () => {
      if (refused === 0) {
        refused++
        res.writeHead(409, { 'content-type': 'application/json', 'retry-after': '0' })
          .end('{"statusCode":409,"code":"AUDIT_ERR_ID_IN_PROGRESS","message":"an earlier request with the same event id is still being accepted; retry shortly"}')
        return
      }
      forwarded++
      fetch(url + req.url, { method: req.method, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) }).then(async upstream => {
        res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text())
      }, () => res.writeHead(502).end())
    })
  })
  await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
  t.teardown(() => proxy.close())
  const client = createAuditClient({ url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, apiKey: key, batchSize: 5, backoffMs: 5 })
  const accepted = await Promise.all(Array.from({ length: 5 }, (_, i) => client.send(sampleEvent({ target: { type: 'doc', id: `d${i}` } }) as never)))
  t.equal(refused, 1)
  t.equal(forwarded, 1, 'retried once')
  t.ok(accepted.every(a => !a.duplicate))
  await waitFor(async () => await countRows(db, 'billing') === 1 + 5, { what: '5 rows' })
  await client.close()
})

t.test('retries after a lost answer never duplicate; 4xx is not retried', async t => {
  const { key, url, db } = await startService(t)
  // A proxy that forwards every request but drops the answer to the first two: the producer
  // sees 503 although the service accepted the events.
  let dropped = 0
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', c => chunks.push(c))
    req.on('end', () => {
      fetch(url + req.url, { method: req.method, headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) }).then(async upstream => {
        const body = await upstream.text()
        if (dropped < 2) {
          dropped++
          res.writeHead(503, { 'retry-after': '0' }).end('{"message":"lost"}')
        } else {
          res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(body)
        }
      }, () => res.writeHead(502).end())
    })
  })
  await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
  t.teardown(() => proxy.close())
  const client = createAuditClient({ url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, apiKey: key, batchSize: 10, backoffMs: 5 })

  const accepted = await Promise.all(Array.from({ length: 10 }, (_, i) => client.send(sampleEvent({ target: { type: 'doc', id: `d${i}` } }) as never)))
  t.equal(dropped, 2, 'two answers were lost and the batch was retried')
  t.equal(accepted.length, 10)
  t.ok(accepted.every(a => a.duplicate), 'the retry was recognised as the same events')
  await waitFor(async () => await countRows(db, 'billing') === 1 + 10, { what: '10 rows' })
  t.equal(await countRows(db, 'billing'), 1 + 10, 'stored once each')

  const direct = createAuditClient({ url, apiKey: key })
  await t.rejects(direct.send({ ...sampleEvent(), action: 'not valid!' } as never), { status: 400 } as never, 'a 400 is returned, not retried')
  const small = createAuditClient({ url, apiKey: key, maxBuffer: 1, flushIntervalMs: 1000 })
  const first = small.send(sampleEvent() as never)
  await t.rejects(small.send(sampleEvent() as never), /buffer full/, 'the buffer is bounded')
  await small.close()
  await first
  await t.rejects(small.send(sampleEvent() as never), /closed/)
})
