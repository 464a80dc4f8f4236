import { createHash } from 'node:crypto'
import fc from 'fast-check'
import t, { type Test } from 'tap'
import { canonicalJson } from '../../src/core/json/index.js'
import { compileScrubber, scrubSecrets } from '../../src/ingest/scrub-secrets.js'
import { prepareEvent, type IngestItem, type PrepareContext } from '../../src/ingest/prepare-event.js'
import { prepareEventReference } from '../../src/ingest/prepare-event-reference.js'
import { recordSha256 } from '../../src/proofs/record-sha256.js'
import type { AuditEventInput } from '../../src/schemas/audit-event.js'
import { recordOf, sampleEvent } from '../helper.js'
import { jsonWithSecrets, memberName } from './helpers/json-with-secrets.js'

const scrub = compileScrubber()
// The content digest's definition (QueuedEvent#digest): SHA-256 of the event as sent, canonical.
const contentDigest = (event: Record<string, unknown>) => createHash('sha256').update(canonicalJson(event)).digest()
const ctx: PrepareContext = { tenant: 'acme', requestId: 'req-1', receivedAt: '2026-11-27T02:00:00.000Z', scrub }

// prepareEvent assembles both digests from members canonicalized once; they must be exactly
// the digests their definitions give, or receipts and duplicate detection would drift.
function definitionsHold (prepared: IngestItem, input: Record<string, unknown>): boolean {
  const record = recordOf(prepared)
  const { v: _v, received_at: _r, redactions: _d, request_id: requestId, ...content } = record
  const sent = input.request_id === undefined ? content : { ...content, request_id: requestId }
  return prepared.canonical === canonicalJson(record) &&
    prepared.recordSha256 === recordSha256(record).toString('base64') &&
    prepared.digest === contentDigest(sent).toString('hex') &&
    prepared.bytes === Buffer.byteLength(prepared.canonical)
}

function check (t: Test, input: Record<string, unknown>): void {
  t.ok(definitionsHold(prepareEvent(input as AuditEventInput, ctx), input), 'digests and text match their definitions')
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
    return definitionsHold(prepareEvent(input as AuditEventInput, ctx), input)
  }), { numRuns: 2_000 })
  t.pass('no counterexample')
})

// What both forms give, or the error either throws (a secret-looking name, a bound).
function outcome (prepare: typeof prepareEvent, input: Record<string, unknown>, c: PrepareContext): unknown {
  try {
    return prepare(input as AuditEventInput, c)
  } catch (err) {
    return { error: (err as Error).constructor.name, message: (err as Error).message, errors: (err as { errors?: unknown }).errors }
  }
}

t.test('property: the one-pass form gives exactly what the two-pass reference gives (3,000 events)', async t => {
  const event = fc.record({
    id: fc.uuid(),
    request_id: fc.oneof(fc.string({ maxLength: 30 }), fc.constant('Bearer abc123def456ghi')),
    actor: fc.record({ type: fc.constant('user'), id: fc.string({ minLength: 1, maxLength: 10 }), name: jsonWithSecrets.string }, { requiredKeys: ['type', 'id'] }),
    metadata: fc.dictionary(memberName, jsonWithSecrets.value, { maxKeys: 8 })
  }, { requiredKeys: ['actor', 'metadata'] })
  // The reference form calls the scrubber; the one-pass form only reads its rules. Counting the
  // calls shows the one-pass form really ran (else this would compare the reference with itself).
  let referenceRuns = 0
  const counted = (scrubber: ReturnType<typeof compileScrubber>) => Object.assign((value: unknown) => {
    referenceRuns++
    return scrubber(value)
  }, { rules: scrubber.rules })
  const contexts = [ctx, { ...ctx, scrub: compileScrubber({ extraKeys: ['note'], extraPatterns: [/forbidden/] }) }, { ...ctx, recordMaxBytes: 700, pointer: '/events/3' }]
  let fastRuns = 0
  fc.assert(fc.property(event, fc.constantFrom(...contexts), (sent, c) => {
    const input = sampleEvent(sent)
    const before = referenceRuns
    const fast = outcome(prepareEvent, input, { ...c, scrub: counted(c.scrub as ReturnType<typeof compileScrubber>) }) as Partial<IngestItem>
    if (referenceRuns === before) fastRuns++
    const reference = outcome(prepareEventReference, input, c) as Partial<IngestItem>
    // Without a sent id each form makes its own UUIDv7: compare all else, the id in the text too.
    if (sent.id === undefined && fast.id !== undefined && reference.id !== undefined) {
      const same = { ...reference, id: fast.id, canonical: reference.canonical!.replace(reference.id, fast.id) }
      const { digest: _a, recordSha256: _b, ...f } = fast
      const { digest: _c, recordSha256: _d, ...r } = same
      t.same(f, r)
      return true
    }
    t.same(fast, reference)
    return true
  }), { numRuns: 3_000 })
  t.ok(fastRuns > 1_500, `the one-pass form ran on ${fastRuns} of 3,000 events`)
})

t.test('what is not plain parsed JSON takes the reference form, with the same result', async t => {
  const input = sampleEvent({ id: '0193a1b2-0000-7000-8000-00000000abcd', metadata: { when: new Date('2026-01-01T00:00:00Z'), gone: undefined, n: 1 } })
  const prepared = prepareEvent(input as AuditEventInput, ctx)
  t.same(prepared, prepareEventReference(input as AuditEventInput, ctx))
  t.match(prepared.canonical, /"metadata":\{"n":1,"when":"2026-01-01T00:00:00.000Z"\}/)
})

t.test('a scrubber without its rules (a plain function) takes the reference form', async t => {
  const input = sampleEvent({ id: '0193a1b2-0000-7000-8000-00000000abcd', metadata: { password: 'x' } })
  const plain = { ...ctx, scrub: (value: unknown) => scrubSecrets(value) }
  t.same(prepareEvent(input as AuditEventInput, plain), prepareEvent(input as AuditEventInput, ctx))
})

t.test('seqAt: splicing "seq" there gives the stored record\'s canonical form', async t => {
  const prepared = prepareEvent(sampleEvent() as AuditEventInput, ctx)
  const at = prepared.seqAt!
  t.equal(`${prepared.canonical.slice(0, at)},"seq":42${prepared.canonical.slice(at)}`, canonicalJson({ ...recordOf(prepared), seq: 42 }))
})
