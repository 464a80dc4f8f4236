import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { connect, type Socket } from 'node:net'
import t from 'tap'
import { OPENAPI_PATH } from '../scripts/generate-openapi.js'
import { buildApp } from '../src/app.js'
import { ADMIN_AUTH, sampleEvent, testConfig, waitFor } from './helper.js'

// What a request gets from an instance that has begun to close: one that was already in flight
// is served, and one that arrives after it on a connection still open is refused with the
// service's own 503 (code, Retry-After, x-request-id, Connection: close), as the OpenAPI
// document declares for every keyed operation; /health says the instance is shutting down.
// Fastify's own answer (return503OnClosing) was a bare body without a code or request id.

interface Answer { status: number, headers: Record<string, string>, body: string }

/** The HTTP/1.1 answers a socket receives until the server closes it. */
async function answersOf (socket: Socket): Promise<Answer[]> {
  const chunks: Buffer[] = []
  socket.on('data', chunk => chunks.push(chunk))
  await once(socket, 'close')
  let rest = Buffer.concat(chunks).toString('latin1')
  const answers: Answer[] = []
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n')
    if (end < 0) break
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n')
    const headers = Object.fromEntries(lines.map(l => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
    const length = Number(headers['content-length'] ?? 0)
    answers.push({ status: Number(statusLine!.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) })
    rest = rest.slice(end + 4 + length)
  }
  return answers
}

const post = (body: string) => `POST /audit-events HTTP/1.1\r\nhost: x\r\nauthorization: ${ADMIN_AUTH.authorization}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`

t.test('a closing instance serves the request in flight and refuses the next one with its own 503', async t => {
  const app = await buildApp({ config: await testConfig(t) })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }

  // Two requests in flight: headers sent, half of each body still to come.
  const event = JSON.stringify(sampleEvent())
  const half = Math.floor(event.length / 2)
  const sockets = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')]
  const requests = once(app.server, 'request').then(async () => await once(app.server, 'request'))
  for (const socket of sockets) socket.write(post(event) + event.slice(0, half))
  await requests

  const closed = app.close()
  await waitFor(() => !app.server.listening, { what: 'the server to stop listening' })
  const answers = sockets.map(answersOf)
  // The rest of each body, then on the same connection one more request: keyed on the first,
  // the readiness probe on the second.
  sockets[0]!.write(event.slice(half) + `GET /audit-events HTTP/1.1\r\nhost: x\r\nauthorization: ${ADMIN_AUTH.authorization}\r\n\r\n`)
  sockets[1]!.write(event.slice(half) + 'GET /health HTTP/1.1\r\nhost: x\r\n\r\n')
  const [keyed, probe] = await Promise.all(answers)
  await closed

  t.same(keyed!.map(a => a.status), [202, 503], 'the event in flight is accepted, the next request refused')
  t.same(probe!.map(a => a.status), [202, 503], 'likewise before the readiness probe')
  const refused = keyed![1]!
  t.same(JSON.parse(refused.body), { statusCode: 503, code: 'AUDIT_ERR_SHUTTING_DOWN', error: 'Service Unavailable', message: 'the service is shutting down' }, 'the service\'s own error body')
  t.equal(refused.headers['retry-after'], '1', 'Retry-After: another instance can take it now')
  t.match(refused.headers['x-request-id'], /\S/, 'x-request-id, like every answer')
  t.equal(refused.headers.connection, 'close', 'and the connection is closed')
  // Declared where it can be sent: on every keyed operation of the document.
  type Media = { example?: { code: string }, examples?: Record<string, { value: { code: string } }> }
  const doc = JSON.parse(await readFile(OPENAPI_PATH, 'utf8')) as { paths: Record<string, Record<string, { security?: unknown[], responses: Record<string, { content?: Record<string, Media> }> }>> }
  const codes = (media: Media | undefined) => media?.example !== undefined ? [media.example.code] : Object.values(media?.examples ?? {}).map(e => e.value.code)
  const undeclared = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item)
    .filter(([, op]) => op.security === undefined || op.security.length > 0)
    .filter(([, op]) => !codes(op.responses['503']?.content?.['application/json']).includes('AUDIT_ERR_SHUTTING_DOWN'))
    .map(([method]) => `${method.toUpperCase()} ${path}`))
  t.same(undeclared, [], 'every keyed operation declares the 503 AUDIT_ERR_SHUTTING_DOWN')
  const report = JSON.parse(probe![1]!.body)
  t.match(report, { status: 'unavailable', reasons: ['shutting down: this instance takes no new requests'] }, '/health says it is shutting down')
})
