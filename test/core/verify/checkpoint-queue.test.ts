import fc from 'fast-check'
import t from 'tap'
import { CheckpointQueue, LogVerifier, type VerifierRecord, type VerifyResult } from '../../../src/core/verify/index.js'
import { ORIGIN, buildLog, checkpoint, newLogKey } from '../helpers/build-log.js'

t.test('the queue hands items back by size, first in first out among equal sizes', async (t) => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (sizes) => {
    const q = new CheckpointQueue<{ size: number, n: number }>()
    sizes.forEach((size, n) => q.push({ size, n }))
    const out: Array<{ size: number, n: number }> = []
    for (let x = q.shift(); x !== undefined; x = q.shift()) out.push(x)
    const expected = sizes.map((size, n) => ({ size, n })).sort((a, b) => a.size - b.size || a.n - b.n)
    t.same(out, expected)
  }), { numRuns: 200 })
})

// The verifier used to insert each pending checkpoint with findIndex + splice: O(n) each,
// O(n^2) for a long log's checkpoints (40,000 froze /verify for 9 s). 200,000 pending ones,
// in ascending order (the worst case for findIndex) and descending (for splice), took
// minutes; a heap takes well under a second. The bound is generous.
t.test('200,000 pending checkpoints in either order are handled in bounded time', async (t) => {
  for (const order of ['ascending', 'descending'] as const) {
    const v = new LogVerifier({ origin: ORIGIN, verifiers: [] })
    const started = performance.now()
    for (let i = 1; i <= 200_000; i++) {
      const size = order === 'ascending' ? i : 200_001 - i
      v.addCheckpoint({ size, note: 'not a note' })
    }
    const result = v.finish()
    const ms = performance.now() - started
    t.equal(result.first_error?.kind, 'signature', 'the first pending checkpoint is reported')
    t.equal(result.first_error?.seq, 1, 'the smallest size first')
    t.ok(ms < 10_000, `${order}: ${Math.round(ms)} ms`)
  }
})

// Stored-log verification now hands each checkpoint over when the log reaches its size;
// before, all were added up front. Any order of adding gives the same answer on tampered
// logs: same validity, same first error, same counts.
const N = 60
const key = newLogKey()
const { rows, roots } = buildLog(N)

function run (records: VerifierRecord[], checkpoints: Array<{ size: number, note: string }>, mode: 'upfront' | 'reversed' | 'streamed'): VerifyResult {
  const v = new LogVerifier({ origin: ORIGIN, verifiers: [key.verifier], tenant: 't', endSeq: N })
  const sorted = [...checkpoints].sort((a, b) => a.size - b.size)
  if (mode === 'upfront') for (const c of checkpoints) v.addCheckpoint(c)
  if (mode === 'reversed') for (const c of [...checkpoints].reverse()) v.addCheckpoint(c)
  let next = 0
  const feed = (size: number) => { while (next < sorted.length && sorted[next]!.size <= size) v.addCheckpoint(sorted[next++]!) }
  if (mode === 'streamed') feed(0)
  for (const r of records) {
    v.addRecord(r)
    if (mode === 'streamed') feed(r.seq)
  }
  if (mode === 'streamed' && next < sorted.length) v.addCheckpoint(sorted[next]!)
  return v.finish()
}

t.test('streamed, up-front and reversed checkpoints give the same result on tampered logs', async (t) => {
  const tamper = fc.record({
    sizes: fc.uniqueArray(fc.integer({ min: 1, max: N + 5 }), { maxLength: 12 }),
    badSignature: fc.option(fc.integer({ min: 0, max: 11 })),
    badRoot: fc.option(fc.integer({ min: 0, max: 11 })),
    editAt: fc.option(fc.integer({ min: 1, max: N })),
    cutAt: fc.option(fc.integer({ min: 1, max: N }))
  })
  fc.assert(fc.property(tamper, ({ sizes, badSignature, badRoot, editAt, cutAt }) => {
    const checkpoints = sizes.map((size, i) => {
      if (i === badSignature) return { size, note: checkpoint(newLogKey(), size, roots[Math.min(size, N)]!).note }
      if (i === badRoot) return checkpoint(key, size, roots[Math.max(0, Math.min(size, N) - 1)]!)
      return checkpoint(key, size, roots[Math.min(size, N)]!)
    })
    let records = rows.map(r => ({ ...r }))
    if (editAt !== null) records[editAt - 1] = { ...records[editAt - 1]!, canonical: Buffer.from(records[editAt - 1]!.canonical.toString().replace('"a.b"', '"a.c"')) }
    if (cutAt !== null) records = records.slice(0, cutAt)
    const upfront = run(records, checkpoints, 'upfront')
    t.same(run(records, checkpoints, 'streamed'), upfront)
    t.same(run(records, checkpoints, 'reversed'), upfront)
  }), { numRuns: 300 })
})
