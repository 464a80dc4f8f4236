import { createHash } from 'node:crypto'
import fc from 'fast-check'
import t, { type Test } from 'tap'
import { canonicalJson } from '../../src/core/json/index.js'
import { compileScrubber } from '../../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../../src/ingest/prepare-event.js'
import { recordSha256 } from '../../src/proofs/record-sha256.js'
import type { AuditEventInput } from '../../src/schemas/audit-event.js'
import { sampleEvent } from '../helper.js'

const scrub = compileScrubber()
// The content digest's definition (QueuedEvent#digest): SHA-256 of the event as sent, canonical.
const contentDigest = (event: Record<string, unknown>) => createHash('sha256').update(canonicalJson(event)).digest()
const ctx = { tenant: 'acme', requestId: 'req-1', receivedAt: '2026-11-27T02:00:00.000Z', scrub }

// prepareEvent assembles both digests from members canonicalized once; they must be exactly
// the digests their definitions give, or receipts and duplicate detection would drift.
function check (t: Test, input: Record<string, unknown>): void {
  const prepared = prepareEvent(input as AuditEventInput, ctx)
  t.equal(prepared.recordSha256, recordSha256(prepared.record).toString('base64'), 'record digest')
  const { v: _v, received_at: _r, redactions: _d, request_id: requestId, ...content } = prepared.record
  const sent = input.request_id === undefined ? content : { ...content, request_id: requestId }
  t.equal(prepared.digest, contentDigest(sent).toString('hex'), 'content digest')
}

t.test('digests match their definitions: with and without id, request_id and secrets', async t => {
  check(t, sampleEvent())
  check(t, sampleEvent({ id: '0193A1B2-0000-7000-8000-00000000ABCD', request_id: 'from-producer' }))
  check(t, sampleEvent({ metadata: { nested: { deeper: { password: 'hunter2', note: 'Bearer abcdefghijklmnopqrstuvwxyz' } } } }))
})

t.test('the content digest ignores when and under which request an event came', async t => {
  const event = sampleEvent({ id: '0193a1b2-0000-7000-8000-00000000abcd' })
  const a = prepareEvent(event as AuditEventInput, ctx)
  const b = prepareEvent(event as AuditEventInput, { ...ctx, requestId: 'req-2', receivedAt: '2026-11-28T00:00:00.000Z' })
  t.equal(a.digest, b.digest)
  t.not(a.recordSha256, b.recordSha256, 'while the records differ')
})

t.test('property: digests match their definitions for arbitrary metadata (2,000 events)', async t => {
  const metadata = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 })
  fc.assert(fc.property(metadata, fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }), (meta, requestId) => {
    const input = sampleEvent({ metadata: meta, ...(requestId !== undefined && { request_id: requestId }) })
    const prepared = prepareEvent(input as AuditEventInput, ctx)
    const { v: _v, received_at: _r, redactions: _d, request_id: filled, ...content } = prepared.record
    return prepared.recordSha256 === recordSha256(prepared.record).toString('base64') &&
      prepared.digest === contentDigest(requestId === undefined ? content : { ...content, request_id: filled }).toString('hex')
  }), { numRuns: 2_000 })
  t.pass('no counterexample')
})
