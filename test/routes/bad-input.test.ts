import t from 'tap'
import { buildTestApp, sampleEvent, testConfig } from '../helper.js'

// Every refusal names the field and the reason, and nothing here may be a 500.
t.test('bad input gets a clear 4xx', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  const post = (payload: string | object, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    app.inject({ method: 'POST', url: '/audit-events', payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers })

  const cases: Array<{ name: string, body: string | object, status: number, field?: string, reason?: RegExp, headers?: Record<string, string> }> = [
    { name: 'unknown top-level field', body: sampleEvent({ colour: 'red' }), status: 400, field: '/colour', reason: /unknown field/ },
    { name: 'unknown nested field', body: sampleEvent({ actor: { type: 'user', id: '1', role: 'x' } }), status: 400, field: '/actor/role', reason: /unknown field/ },
    { name: 'missing action', body: { ...sampleEvent(), action: undefined }, status: 400, field: '/action', reason: /required/ },
    { name: 'action not dotted name', body: sampleEvent({ action: 'user login' }), status: 400, field: '/action', reason: /pattern/ },
    { name: 'occurred_at not RFC 3339', body: sampleEvent({ occurred_at: 'yesterday' }), status: 400, field: '/occurred_at', reason: /date-time/ },
    { name: 'occurred_at impossible date', body: sampleEvent({ occurred_at: '2026-02-30T00:00:00Z' }), status: 400, field: '/occurred_at' },
    { name: 'id not a UUID', body: sampleEvent({ id: 'abc' }), status: 400, field: '/id', reason: /uuid/ },
    { name: 'outcome not allowed', body: sampleEvent({ outcome: 'maybe' }), status: 400, field: '/outcome', reason: /allowed/ },
    { name: 'number where string expected (no coercion)', body: sampleEvent({ actor: { type: 'user', id: 42 } }), status: 400, field: '/actor/id', reason: /string/ },
    { name: 'string too long', body: sampleEvent({ actor: { type: 'user', id: 'x'.repeat(257) } }), status: 400, field: '/actor/id', reason: /256/ },
    { name: 'metadata not an object', body: sampleEvent({ metadata: [1, 2] }), status: 400, field: '/metadata', reason: /object/ },
    { name: 'too many metadata keys', body: sampleEvent({ metadata: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])) }), status: 400, field: '/metadata', reason: /100/ },
    { name: 'metadata too deep', body: sampleEvent({ metadata: JSON.parse('{"a":'.repeat(12) + '1' + '}'.repeat(12)) }), status: 400, reason: /nesting deeper/ },
    { name: 'metadata string too long', body: sampleEvent({ metadata: { note: 'x'.repeat(8193) } }), status: 400, field: '/metadata/note', reason: /8192/ },
    { name: 'integer beyond 2^53', body: '{"occurred_at":"2026-01-01T00:00:00Z","action":"a.b","actor":{"type":"u","id":"1"},"metadata":{"n":9007199254740993}}', status: 400, field: '/metadata/n', reason: /2\^53/ },
    { name: 'lone surrogate', body: '{"occurred_at":"2026-01-01T00:00:00Z","action":"a.b","actor":{"type":"u","id":"1"},"metadata":{"s":"\\ud800"}}', status: 400, field: '/metadata/s', reason: /surrogate/ },
    { name: 'lone surrogate in a key', body: '{"occurred_at":"2026-01-01T00:00:00Z","action":"a.b","actor":{"type":"u","id":"1"},"metadata":{"\\udc00":1}}', status: 400, reason: /surrogate/ },
    { name: 'NUL character', body: '{"occurred_at":"2026-01-01T00:00:00Z","action":"a.b","actor":{"type":"u","id":"1"},"metadata":{"s":"a\\u0000b"}}', status: 400, field: '/metadata/s', reason: /NUL/ },
    { name: 'malformed JSON', body: '{"occurred_at":', status: 400 },
    { name: '__proto__ key', body: '{"occurred_at":"2026-01-01T00:00:00Z","action":"a.b","actor":{"type":"u","id":"1"},"metadata":{"__proto__":{"x":1}}}', status: 400 },
    { name: 'wrong content type', body: 'action=a.b', status: 415, headers: { 'content-type': 'application/x-www-form-urlencoded' }, field: '/content-type', reason: /application\/x-www-form-urlencoded is not accepted: send application\/json/ },
    { name: 'no content type', body: 'hello', status: 415, headers: { 'content-type': 'text/plain' }, field: '/content-type', reason: /text\/plain is not accepted/ },
    { name: 'body over the limit', body: sampleEvent({ metadata: { a: 'x'.repeat(300 * 1024) } }), status: 413 }
  ]
  for (const c of cases) {
    const res = await post(c.body, c.headers)
    t.equal(res.statusCode, c.status, `${c.name}: ${res.body.slice(0, 300)}`)
    const body = res.json()
    t.type(body.message, 'string', `${c.name}: has a message`)
    t.type(body.code, 'string', `${c.name}: has a code`)
    if (c.field !== undefined) t.ok(body.errors?.some((e: { field: string }) => e.field === c.field), `${c.name}: names ${c.field} (${JSON.stringify(body.errors)})`)
    if (c.reason !== undefined) t.match(body.message, c.reason, `${c.name}: says why`)
  }

  const invalidUtf8 = Buffer.concat([Buffer.from('{"occurred_at":"2026-01-01T00:00:00Z","action":"a.b","actor":{"type":"u","id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')])
  const res = await app.inject({ method: 'POST', url: '/audit-events', payload: invalidUtf8, headers: { 'content-type': 'application/json' } })
  t.equal(res.statusCode, 400)
  t.match(res.json().message, /UTF-8/)
  t.equal(({} as Record<string, unknown>).x, undefined, 'no prototype pollution')
})

t.test('a batch over 1,000 events or over its body limit is refused', async t => {
  const app = await buildTestApp(t, await testConfig(t))
  const tooMany = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: Array.from({ length: 1001 }, () => sampleEvent()) } })
  t.equal(tooMany.statusCode, 400)
  t.match(tooMany.json().message, /1000/)
  const empty = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: [] } })
  t.equal(empty.statusCode, 400)
  const huge = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: [sampleEvent({ metadata: { a: 'x'.repeat(6 * 1024 * 1024) } })] } })
  t.equal(huge.statusCode, 413)
})

t.test('unknown routes are a JSON 404', async t => {
  const app = await buildTestApp(t, await testConfig(t))
  const res = await app.inject({ method: 'GET', url: '/nope?x=1' })
  t.equal(res.statusCode, 404)
  t.match(res.json(), { code: 'AUDIT_ERR_NOT_FOUND', message: 'no route GET /nope' })
})
