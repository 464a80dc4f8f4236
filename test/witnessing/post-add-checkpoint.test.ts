import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { postAddCheckpoint } from '../../src/witnessing/post-add-checkpoint.js'

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void

/**
 * A tiny real HTTP server that answers add-checkpoint as `handler` says: the answers a real
 * witness gives in states that are awkward to reach (403, 404, a stray status), and ones no
 * witness should give (a 409 without a size, silence).
 */
async function answering (t: Test, handler: Handler): Promise<{ url: string, requests: Array<{ method: string, path: string, body: string }> }> {
  const requests: Array<{ method: string, path: string, body: string }> = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => { body += d.toString() })
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', body })
      handler(req, body, res)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix`, requests }
}

const send = (status: number, body: string, type = 'text/plain') => (_req: IncomingMessage, _body: string, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': type }).end(body)
}

const REQUEST = 'old 0\n\nexample.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— example.com/log AAAA\n'

t.test('200: the lines, and the request is a POST of the body to <prefix>/add-checkpoint', async t => {
  const { url, requests } = await answering(t, send(200, '— w1 AAAA\n— w2 BBBB\n'))
  t.same(await postAddCheckpoint(url, REQUEST, 2000), { kind: 'cosigned', lines: ['— w1 AAAA', '— w2 BBBB'] })
  t.same(requests, [{ method: 'POST', path: '/prefix/add-checkpoint', body: REQUEST }])
})

t.test('409 with text/x.tlog.size: the witness\'s size', async t => {
  const { url } = await answering(t, send(409, '1234\n', 'text/x.tlog.size'))
  t.same(await postAddCheckpoint(url, REQUEST, 2000), { kind: 'conflict', size: 1234 })
})

t.test('409 without a size (a same-size fork answers one too, with a size): failed, never a size made up', async t => {
  for (const body of ['', 'conflict\n', '012\n', '12', '-1\n', '99999999999999999999\n']) {
    const { url } = await answering(t, send(409, body, 'text/x.tlog.size'))
    t.match(await postAddCheckpoint(url, REQUEST, 2000), { kind: 'refused', outcome: 'failed', detail: /^409 without a size/ }, JSON.stringify(body))
  }
})

t.test('403, 404, 422 and other statuses are refusals of their kind, with the witness\'s words', async t => {
  const cases: Array<[number, string]> = [[403, 'forbidden'], [404, 'unknown_origin'], [422, 'bad_proof'], [400, 'failed'], [500, 'failed'], [503, 'failed']]
  for (const [status, outcome] of cases) {
    const { url } = await answering(t, send(status, `no: ${status}\n`))
    t.same(await postAddCheckpoint(url, REQUEST, 2000), { kind: 'refused', outcome, detail: `${status}: "no: ${status}"` }, String(status))
  }
})

t.test('a 200 that is not newline-terminated lines, an oversized answer, a redirect: failed', async t => {
  let { url } = await answering(t, send(200, '— w1 AAAA'))
  t.match(await postAddCheckpoint(url, REQUEST, 2000), { kind: 'refused', outcome: 'failed', detail: /not newline-terminated/ })
  ;({ url } = await answering(t, send(200, `${'— w1 AAAA\n'.repeat(10_000)}`)))
  t.match(await postAddCheckpoint(url, REQUEST, 2000), { kind: 'refused', outcome: 'failed', detail: /over 65536/ })
  ;({ url } = await answering(t, (_req, _body, res) => { res.writeHead(307, { location: 'http://127.0.0.1:1/elsewhere' }).end() }))
  t.match(await postAddCheckpoint(url, REQUEST, 2000), { kind: 'refused', outcome: 'failed' })
})

t.test('a witness that does not answer in time, or is not there: failed, within the timeout', async t => {
  const { url } = await answering(t, () => {}) // takes the request, never answers
  const start = Date.now()
  t.same(await postAddCheckpoint(url, REQUEST, 300), { kind: 'refused', outcome: 'failed', detail: 'no answer within 300 ms' })
  t.ok(Date.now() - start < 2000, 'given up at the timeout')
  t.match(await postAddCheckpoint('http://127.0.0.1:1', REQUEST, 2000), { kind: 'refused', outcome: 'failed', detail: /fetch failed/ })
})
