import { connect, type Socket, type AddressInfo } from 'node:net'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { ADMIN_AUTH, sampleEvent, testConfig } from '../helper.js'

// What only a real socket can show: slow clients (headers and body timeouts), header sizes,
// bodies far over the limit. The server must close what it should, answer cleanly, and stay
// responsive to everyone else throughout.

const REQUEST_TIMEOUT_MS = 1500
// Node checks request and header deadlines once a second (connectionsCheckingInterval).
const CHECK_INTERVAL_MS = 1000
const SLACK_MS = 2000

interface RawClient {
  socket: Socket
  /** Everything the server sent so far. */
  received: () => string
  /** Resolves when the server (or anyone) closed the socket, with ms since connect. */
  closed: Promise<number>
  /** Writes `text` now, unless the socket is gone. */
  send: (text: string | Buffer) => void
}

async function rawClient (port: number): Promise<RawClient> {
  const socket = connect({ port, host: '127.0.0.1' })
  const chunks: Buffer[] = []
  socket.on('data', chunk => chunks.push(chunk))
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  const started = performance.now()
  const closed = new Promise<number>(resolve => socket.once('close', () => resolve(performance.now() - started)))
  return {
    socket,
    received: () => Buffer.concat(chunks).toString('latin1'),
    closed,
    send: text => { if (!socket.destroyed && socket.writable) socket.write(text) }
  }
}

/** Writes `piece` every `everyMs` until the socket closes. */
function trickle (client: RawClient, piece: () => string, everyMs: number): () => void {
  const timer = setInterval(() => client.send(piece()), everyMs)
  void client.closed.then(() => clearInterval(timer))
  return () => clearInterval(timer)
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0)

async function startServer (t: { teardown: (fn: () => unknown) => void }, env: Record<string, string> = {}) {
  const config = await testConfig(t, { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS), ...env })
  const app = await buildApp({ config })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const base = `http://127.0.0.1:${port}`
  // The server keeps answering others while hostile clients hold their sockets.
  const healthy = async () => {
    const started = performance.now()
    const res = await fetch(`${base}/audit-events`, { method: 'POST', headers: { ...ADMIN_AUTH, 'content-type': 'application/json' }, body: JSON.stringify(sampleEvent()) })
    return { status: res.status, ms: performance.now() - started }
  }
  return { app, config, port, base, healthy }
}

t.test('timeouts are configured from REQUEST_TIMEOUT_MS, 30 s by default', async t => {
  t.equal(loadConfig({}).requestTimeoutMs, 30_000)
  t.throws(() => loadConfig({ REQUEST_TIMEOUT_MS: '10' }), /REQUEST_TIMEOUT_MS/)
  const { app } = await startServer(t)
  t.equal(app.server.requestTimeout, REQUEST_TIMEOUT_MS, 'whole request (headers and body)')
  t.equal(app.server.timeout, REQUEST_TIMEOUT_MS, 'idle socket')
  t.ok(app.server.headersTimeout <= REQUEST_TIMEOUT_MS, 'headers within the request deadline')
})

t.test('slow clients are cut off within the request timeout, and nobody else waits', async t => {
  const { port, healthy } = await startServer(t)
  const requestLine = 'POST /audit-events HTTP/1.1\r\nHost: localhost\r\n'
  const auth = `Authorization: ${ADMIN_AUTH.authorization}\r\n`
  const withBody = `${requestLine}${auth}Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n`

  const scenarios: Array<{ name: string, start: (c: RawClient) => void }> = [
    // Each trickle keeps the socket busy, so only the request deadline can end it.
    { name: 'headers sent one line every 200 ms, never finished', start: c => { c.send(requestLine); trickle(c, () => `X-Slow-${Math.random().toString(36).slice(2)}: a\r\n`, 200) } },
    { name: 'headers started, then silence', start: c => c.send(requestLine + 'X-Partial: ') },
    { name: 'connection opened, nothing sent', start: () => {} },
    { name: 'headers done, body one byte every 200 ms', start: c => { c.send(withBody + '{'); trickle(c, () => ' ', 200) } },
    { name: 'headers done, part of the body, then silence', start: c => c.send(withBody + '{"occurred_at":"2026-') }
  ]
  const clients = await Promise.all(scenarios.map(async s => {
    const client = await rawClient(port)
    s.start(client)
    return { ...s, client }
  }))
  // A crowd of stalled sockets as well: a slowloris, not one client.
  const crowd = await Promise.all(Array.from({ length: 100 }, async () => {
    const client = await rawClient(port)
    client.send(requestLine)
    return client
  }))

  const during = await healthy()
  t.equal(during.status, 202, 'an ordinary request while 105 sockets stall')
  t.ok(during.ms < 2000, `answered in ${during.ms.toFixed(0)} ms`)

  const limit = REQUEST_TIMEOUT_MS + CHECK_INTERVAL_MS + SLACK_MS
  for (const { name, client } of clients) {
    const ms = await Promise.race([client.closed, new Promise<number>(resolve => setTimeout(() => resolve(Infinity), limit + 1000))])
    t.ok(ms <= limit, `${name}: closed after ${ms.toFixed(0)} ms (limit ${limit})`)
    t.ok(ms >= REQUEST_TIMEOUT_MS - 200, `${name}: not before the deadline (${ms.toFixed(0)} ms)`)
    const status = statusOf(client.received())
    t.ok(status === 0 || status === 408, `${name}: answered ${status === 0 ? 'nothing' : status} before closing`)
  }
  const crowdTimes = await Promise.all(crowd.map(c => Promise.race([c.closed, new Promise<number>(resolve => setTimeout(() => resolve(Infinity), limit + 1000))])))
  t.ok(Math.max(...crowdTimes) <= limit, `all 100 stalled sockets closed, the last after ${Math.max(...crowdTimes).toFixed(0)} ms`)

  const after = await healthy()
  t.equal(after.status, 202, 'still serving afterwards')
})

t.test('very long header values: a clean 431 over the limit, a clean answer below it', async t => {
  const { port, base, healthy } = await startServer(t)
  const event = JSON.stringify(sampleEvent())
  const raw = async (headers: string, body = '') => {
    const client = await rawClient(port)
    client.send(`POST /audit-events HTTP/1.1\r\nHost: localhost\r\n${headers}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
    await waitForStatus(client, 5000)
    const closedMs = await Promise.race([client.closed, new Promise<number>(resolve => setTimeout(() => resolve(Infinity), 1000))])
    client.socket.destroy()
    return { status: statusOf(client.received()), response: client.received(), closedMs }
  }
  const auth = `Authorization: ${ADMIN_AUTH.authorization}\r\n`

  // Node's limit is 16 KiB for all headers together (--max-http-header-size): a 431, and the
  // connection closed, since the rest of the request cannot be read.
  for (const [name, headers] of [
    ['one 20 KiB header value', `${auth}X-Long: ${'a'.repeat(20 * 1024)}\r\n`],
    ['a 1 MiB header value', `${auth}X-Long: ${'a'.repeat(1024 * 1024)}\r\n`],
    ['a 20 KiB Authorization header', `Authorization: Bearer ${'k'.repeat(20 * 1024)}\r\n`],
    ['a 20 KiB Content-Type', `${auth}X-Type: 1\r\nContent-Type: application/json; ${'p=1; '.repeat(4096)}\r\n`],
    ['20 KiB in 1,000 headers', `${auth}${Array.from({ length: 1000 }, (_, i) => `X-H${i}: ${'v'.repeat(16)}\r\n`).join('')}`]
  ] as const) {
    const res = await raw(headers, event)
    t.equal(res.status, 431, `${name}: 431 (${res.response.slice(0, 80).replaceAll('\r\n', ' | ')})`)
    t.ok(res.closedMs < 1000, `${name}: connection closed`)
  }
  // Past 2,000 headers Node drops the rest (maxHeadersCount), Content-Type and Content-Length
  // included: the request then has no body, which is a 400, not a crash.
  const many = await raw(`${auth}${Array.from({ length: 2000 }, (_, i) => `X-H${i}: v\r\n`).join('')}`, event)
  t.ok([400, 415, 431].includes(many.status), `2,000 small headers: a clean ${many.status}`)

  // Below the limit the request is read and judged on its merits.
  const below = [
    { name: '15 KiB x-request-id (not a sane id: replaced)', init: { headers: { ...ADMIN_AUTH, 'content-type': 'application/json', 'x-request-id': 'r'.repeat(15 * 1024) } }, status: 202 },
    { name: '15 KiB Authorization', init: { headers: { authorization: `Bearer ${'k'.repeat(15 * 1024)}`, 'content-type': 'application/json' } }, status: 401 },
    { name: '15 KiB Content-Type parameters', init: { headers: { ...ADMIN_AUTH, 'content-type': `application/json; ${'p=1; '.repeat(2900)}` } }, status: [202, 415] },
    { name: '15 KiB unknown header', init: { headers: { ...ADMIN_AUTH, 'content-type': 'application/json', 'x-junk': 'j'.repeat(15 * 1024) } }, status: 202 },
    { name: '15 KiB Content-Type of backslashes and quotes', init: { headers: { ...ADMIN_AUTH, 'content-type': `application/json; a="${'\\"'.repeat(7 * 1024)}` } }, status: [202, 400, 415] }
  ]
  for (const c of below) {
    const started = performance.now()
    const res = await fetch(`${base}/audit-events`, { method: 'POST', body: event, ...c.init })
    const ms = performance.now() - started
    const statuses = Array.isArray(c.status) ? c.status : [c.status]
    t.ok(statuses.includes(res.status), `${c.name}: ${res.status}`)
    t.ok(ms < 2000, `${c.name}: answered in ${ms.toFixed(0)} ms`)
    if (c.name.startsWith('15 KiB x-request-id')) t.match(res.headers.get('x-request-id'), /^[0-9a-f-]{36}$/, 'a generated request id instead')
    const body = await res.json() as { statusCode?: number, message?: string }
    if (res.status !== 202) t.type(body.message, 'string', `${c.name}: says why`)
  }
  t.equal((await healthy()).status, 202, 'still serving afterwards')
})

t.test('a 10 MB body is refused without reading it all, with or without Content-Length', async t => {
  const { port, healthy } = await startServer(t)
  const tenMb = 10 * 1024 * 1024
  const head = `POST /audit-events HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${ADMIN_AUTH.authorization}\r\nContent-Type: application/json\r\n`

  // Declared size over the limit: answered from the header alone.
  const declared = await rawClient(port)
  declared.send(`${head}Content-Length: ${tenMb}\r\n\r\n{"metadata":{"a":"`)
  const declaredMs = await Promise.race([declared.closed, waitForStatus(declared, 3000)])
  t.equal(statusOf(declared.received()), 413, `declared 10 MB: 413 (after ${declaredMs.toFixed(0)} ms)`)
  declared.socket.destroy()

  // Chunked, streamed as fast as the socket takes it: refused once past the limit.
  const chunked = await rawClient(port)
  chunked.send(`${head}Transfer-Encoding: chunked\r\n\r\n`)
  const piece = Buffer.alloc(64 * 1024, 'x')
  let sent = 0
  const started = performance.now()
  while (sent < tenMb && statusOf(chunked.received()) === 0 && !chunked.socket.destroyed) {
    const ok = chunked.socket.write(`${piece.length.toString(16)}\r\n`) && chunked.socket.write(piece) && chunked.socket.write('\r\n')
    sent += piece.length
    if (!ok) await new Promise(resolve => setTimeout(resolve, 5))
  }
  await waitForStatus(chunked, 3000)
  t.equal(statusOf(chunked.received()), 413, `chunked 10 MB: 413 after ${(sent / 1024).toFixed(0)} KiB sent, ${(performance.now() - started).toFixed(0)} ms`)
  chunked.socket.destroy()

  // Batches have their own, larger limit; 10 MB is over it too.
  const batch = await rawClient(port)
  batch.send(`POST /audit-events/batch HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${ADMIN_AUTH.authorization}\r\nContent-Type: application/json\r\nContent-Length: ${tenMb}\r\n\r\n`)
  await waitForStatus(batch, 3000)
  t.equal(statusOf(batch.received()), 413, 'batch: 413')
  batch.socket.destroy()

  t.equal((await healthy()).status, 202, 'still serving afterwards')
})

async function waitForStatus (client: RawClient, timeoutMs: number): Promise<number> {
  const started = performance.now()
  while (statusOf(client.received()) === 0 && performance.now() - started < timeoutMs) {
    await new Promise(resolve => setTimeout(resolve, 10))
  }
  return performance.now() - started
}
