import t from 'tap'
import { compileScrubber } from '../../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../../src/ingest/prepare-event.js'
import { RecordTooLargeError } from '../../src/errors.js'
import type { AuditEventInput } from '../../src/schemas/audit-event.js'
import { buildTestApp, sampleEvent, testConfig } from '../helper.js'

// What is stored is bounded, not only what is sent. Measured before: a 67 KB body passing every
// check became a 98 MB record, because each redaction stores its full JSON Pointer and member
// names could be 8,192 characters (a few nested long names over 2,000 redacted values).

type Errors = Array<{ field: string, reason: string }>

/** 2,000 secrets (20 objects of 100 `…_token` members) under `names`, nested. */
function secretsUnder (names: string[]): Record<string, unknown> {
  const groups: Record<string, unknown> = {}
  for (let g = 0; g < 20; g++) {
    const group: Record<string, number> = {}
    for (let k = 0; k < 100; k++) group[`k${k}_token`] = 1
    groups[`g${g}`] = group
  }
  let inner: Record<string, unknown> = groups
  for (const name of [...names].reverse()) inner = { [name]: inner }
  return inner
}

t.test('the 67 KB body that made a 98 MB record is refused, naming the field, before any work', async t => {
  const app = await buildTestApp(t, await testConfig(t))
  const long = (c: string) => c.repeat(8192)
  const body = JSON.stringify(sampleEvent({ metadata: secretsUnder([long('a'), long('b'), long('c')]) }))
  t.ok(body.length < 70_000, `body is ${body.length} bytes`)
  const res = await app.inject({ method: 'POST', url: '/audit-events', payload: body, headers: { 'content-type': 'application/json' } })
  t.equal(res.statusCode, 400, res.body.slice(0, 300))
  const errors = res.json().errors as Errors
  t.same(errors.map(e => e.field), ['/metadata'], 'names the object holding the long name')
  t.match(errors[0]!.reason, /member name of 8192 characters, longer than 256/)
  t.ok(res.body.length < 2000, 'the answer does not echo the 8 KiB name')

  // The same in a batch: the error names the event's index.
  const batch = `{"events":[${JSON.stringify(sampleEvent())},${body}]}`
  const inBatch = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: batch, headers: { 'content-type': 'application/json' } })
  t.equal(inBatch.statusCode, 400)
  t.same((inBatch.json().errors as Errors).map(e => e.field), ['/events/1/metadata'])
})

t.test('with names within 256 characters, the redaction list is bounded: 413 naming /redactions', async t => {
  const app = await buildTestApp(t, await testConfig(t))
  const names = ['a'.repeat(256), 'b'.repeat(256), 'c'.repeat(256)]
  // Many redactions (2,000, with short or long pointers): refused by count.
  const many = await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ metadata: secretsUnder(names) }) })
  t.equal(many.statusCode, 413, many.body.slice(0, 300))
  t.equal(many.json().code, 'AUDIT_ERR_RECORD_TOO_LARGE')
  t.same(many.json().errors, [{ field: '/redactions', in: 'body', reason: '2000 values would be redacted, over the limit of 128 per event' }])

  // Few redactions with long pointers: refused by their total length.
  let deep: Record<string, unknown> = { p1_token: 'x', p2_token: 'x', p3_token: 'x', p4_token: 'x', p5_token: 'x' }
  for (let i = 0; i < 7; i++) deep = { [String(i).repeat(256)]: deep }
  const long = await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ metadata: deep }) })
  t.equal(long.statusCode, 413, long.body.slice(0, 300))
  t.match(long.json().errors, [{ field: '/redactions', reason: /JSON Pointers of the redacted values total \d+ characters, over the limit of 4096/ }])

  // In a batch, every event that is too large is named by its index; the others are not.
  const batch = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: [sampleEvent(), sampleEvent({ metadata: secretsUnder(names) }), sampleEvent(), sampleEvent({ metadata: deep })] } })
  t.equal(batch.statusCode, 413)
  t.same((batch.json().errors as Errors).map(e => e.field), ['/events/1/redactions', '/events/3/redactions'])

  // A usual event with a few secrets is accepted as before.
  const fine = await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ metadata: { password: 'hunter2', nested: { api_key: 'k' } } }) })
  t.equal(fine.statusCode, 202)
})

t.test('the canonical record is bounded by RECORD_MAX_BYTES: 413 naming the event', async t => {
  const app = await buildTestApp(t, await testConfig(t, { RECORD_MAX_BYTES: '4096' }))
  const big = sampleEvent({ metadata: { note: 'x'.repeat(5000) } })
  const res = await app.inject({ method: 'POST', url: '/audit-events', payload: big })
  t.equal(res.statusCode, 413, res.body.slice(0, 300))
  t.equal(res.json().code, 'AUDIT_ERR_RECORD_TOO_LARGE')
  t.match(res.json().errors, [{ field: '', reason: /the record would be \d+ bytes in canonical form, over the limit of 4096 \(RECORD_MAX_BYTES\)/ }])
  const batch = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: [sampleEvent(), big] } })
  t.equal(batch.statusCode, 413)
  t.same((batch.json().errors as Errors).map(e => e.field), ['/events/1'])
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ metadata: { note: 'x'.repeat(3000) } }) })).statusCode, 202)
})

t.test('prepareEvent refuses a record over its bound before serializing it', async t => {
  // Counted in UTF-8 bytes, not characters: 1,500 three-byte characters are 4,500 bytes.
  const event = sampleEvent({ metadata: { note: '€'.repeat(1500) } }) as AuditEventInput
  const ctx = { tenant: 'acme', requestId: 'r', receivedAt: '2026-12-01T00:00:00.000Z', scrub: compileScrubber(), recordMaxBytes: 4096 }
  t.throws(() => prepareEvent(event, ctx), RecordTooLargeError)
  const ok = prepareEvent(event, { ...ctx, recordMaxBytes: 8192 })
  t.equal(ok.bytes, Buffer.byteLength(ok.canonical), 'bytes is the UTF-8 size of the record')
})
