import t, { type Test } from 'tap'
import { canonicalBytes } from '../../../src/core/json/index.js'
import { chainHash } from '../../../src/core/chain/index.js'
import { LogVerifier, type LogVerifierOptions, type VerifierRecord, type VerifyResult } from '../../../src/core/verify/index.js'
import { CompactRange, leafHash } from '../../../src/core/merkle/index.js'
import { ORIGIN, buildLog, chainRows, checkpoint, newLogKey, recordBody } from '../helpers/build-log.js'

const N = 200
const SIZES = [1, 64, 100, 150, 200]
const key = newLogKey()
const { rows, roots } = buildLog(N)
const goodCheckpoints = SIZES.map((s) => checkpoint(key, s, roots[s] as Buffer))

interface Run {
  rows?: VerifierRecord[]
  checkpoints?: Array<{ size: number; note: string }>
  opts?: Partial<LogVerifierOptions>
  /** Add each checkpoint exactly when its size is reached instead of up front. */
  lazy?: boolean
}

function run ({ rows: rs = rows, checkpoints = goodCheckpoints, opts = {}, lazy = false }: Run = {}): VerifyResult {
  const v = new LogVerifier({ origin: ORIGIN, verifiers: [key.verifier], tenant: 't', ...opts })
  const byPrevSize = (size: number): void => {
    for (const c of checkpoints) if (c.size === size) v.addCheckpoint(c)
  }
  if (lazy) byPrevSize((opts.startSeq ?? 1) - 1)
  else for (const c of checkpoints) v.addCheckpoint(c)
  for (const r of rs) {
    v.addRecord(r)
    if (lazy) byPrevSize(r.seq)
  }
  return v.finish()
}

const copy = (r: VerifierRecord, patch: Partial<VerifierRecord> = {}): VerifierRecord => ({ ...r, ...patch })

function expectError (t: Test, res: VerifyResult, kind: string, seq: number, detail?: RegExp): void {
  t.equal(res.valid, false, 'invalid')
  t.equal(res.first_error?.kind, kind, `kind ${kind}`)
  t.equal(res.first_error?.seq, seq, `at seq ${seq}`)
  if (detail) t.match(res.first_error?.detail, detail)
}

t.test('a clean log verifies, checkpoints up front or when reached', async (t) => {
  for (const lazy of [false, true]) {
    const res = run({ lazy })
    t.same(res, {
      valid: true,
      checked: N,
      head: { seq: N, hash: (rows[N - 1] as VerifierRecord).hash.toString('hex') },
      first_error: null,
      checkpoints_checked: SIZES.length,
    })
  }
  t.same(run({ rows: [], checkpoints: [] }), { valid: true, checked: 0, head: null, first_error: null, checkpoints_checked: 0 })
  t.equal(run({ opts: { endSeq: N } }).valid, true, 'endSeq reached')
})

t.test('resuming from a stored frontier', async (t) => {
  const range = CompactRange.empty()
  for (const r of rows.slice(0, 100)) range.append(leafHash(r.canonical))
  const opts = { startSeq: 101, prevHash: (rows[99] as VerifierRecord).hash, range }
  const res = run({ rows: rows.slice(100), opts })
  t.equal(res.valid, true)
  t.equal(res.checked, 100)
  t.equal(res.checkpoints_checked, 3, 'size 100 checked against the given frontier; 1 and 64 are outside the window')
  t.equal(range.size, 100, "caller's range is not mutated")
  t.throws(() => new LogVerifier({ origin: ORIGIN, verifiers: [], startSeq: 5 }), RangeError)
  t.throws(() => new LogVerifier({ origin: ORIGIN, verifiers: [], ...opts, startSeq: 50 }), RangeError)
})

t.test('a changed byte of canonical content', async (t) => {
  const tampered = rows.slice()
  const r = tampered[36] as VerifierRecord
  tampered[36] = copy(r, { canonical: Buffer.from(r.canonical.toString().replace('"a.b"', '"a.c"')) })
  const res = run({ rows: tampered })
  expectError(t, res, 'content', 37, /SHA-256/)
  t.same(res.head, { seq: 36, hash: (rows[35] as VerifierRecord).hash.toString('hex') })
  t.equal(res.checked, 36)

  const spaced = rows.slice()
  spaced[36] = copy(r, { canonical: Buffer.from(r.canonical.toString().replace(':', ': ')) })
  expectError(t, run({ rows: spaced }), 'content', 37, /canonical/)
  const garbage = rows.slice()
  garbage[36] = copy(r, { canonical: Buffer.from([0x7b, 0xff, 0x7d]) })
  expectError(t, run({ rows: garbage }), 'content', 37, /JSON/)
})

t.test('caller-reported content mismatch and wrong tenant', async (t) => {
  const flagged = rows.slice()
  flagged[41] = copy(rows[41] as VerifierRecord, { contentMismatch: 'jsonb copy differs' })
  expectError(t, run({ rows: flagged }), 'content', 42, /jsonb copy differs/)
  expectError(t, run({ opts: { tenant: 'other' } }), 'content', 1, /tenant/)
})

t.test('a deleted middle record is a gap', async (t) => {
  expectError(t, run({ rows: rows.filter((r) => r.seq !== 100) }), 'gap', 100)
})

t.test('swapped seq values and duplicates are order errors', async (t) => {
  const swapped = rows.map((r) => (r.seq === 60 ? copy(r, { seq: 61 }) : r.seq === 61 ? copy(r, { seq: 60 }) : r))
  swapped.sort((a, b) => a.seq - b.seq) // as storage would return them
  expectError(t, run({ rows: swapped }), 'order', 60, /seq 61/)
  const dup = [...rows.slice(0, 10), rows[9] as VerifierRecord, ...rows.slice(10)]
  expectError(t, run({ rows: dup }), 'order', 10)
})

t.test('a forged record with its own hash recomputed breaks the next link', async (t) => {
  const forged = rows.slice()
  const canonical = canonicalBytes(recordBody(80, { action: 'forged' }))
  const prev = (rows[78] as VerifierRecord).hash
  forged[79] = { seq: 80, canonical, prevHash: prev, hash: chainHash(prev, canonical) }
  expectError(t, run({ rows: forged, checkpoints: [] }), 'link', 81)
})

t.test('a log ending before a checkpoint or endSeq is truncated', async (t) => {
  expectError(t, run({ rows: rows.slice(0, 140) }), 'truncated', 141, /150/)
  expectError(t, run({ opts: { endSeq: 210 } }), 'truncated', 201, /210/)
})

t.test('a rewritten log re-signed with another key', async (t) => {
  const bodies = rows.map((r) => r.canonical)
  bodies[9] = canonicalBytes(recordBody(10, { action: 'rewritten' }))
  const rewritten = chainRows(bodies)
  const attacker = newLogKey()
  const forgedCps = SIZES.map((s) => checkpoint(attacker, s, rewritten.roots[s] as Buffer))
  expectError(t, run({ rows: rewritten.rows, checkpoints: forgedCps }), 'signature', 1, /trusted/)
  // Keeping the old, genuinely signed checkpoints exposes the rewrite.
  const res = run({ rows: rewritten.rows })
  expectError(t, res, 'root', 64)
  t.equal(res.checkpoints_checked, 1, 'size 1 still matched')
})

t.test('a corrupted checkpoint signature', async (t) => {
  const cps = goodCheckpoints.slice()
  const c = cps[3] as { size: number; note: string }
  const sigStart = c.note.lastIndexOf(' ') + 10
  const flipped = c.note[sigStart] === 'A' ? 'B' : 'A'
  cps[3] = { size: c.size, note: c.note.slice(0, sigStart) + flipped + c.note.slice(sigStart + 1) }
  expectError(t, run({ checkpoints: cps }), 'signature', 150)
  expectError(t, run({ checkpoints: cps, lazy: true }), 'signature', 150)
  cps[3] = { size: 151, note: c.note }
  expectError(t, run({ checkpoints: cps }), 'signature', 151, /signed for size 150/)
})

t.test('a checkpoint for another origin', async (t) => {
  expectError(t, run({ opts: { origin: 'audit.example/log/other' } }), 'signature', 1, /origin/)
  const other = checkpoint(key, 64, roots[64] as Buffer, 'elsewhere.example/log')
  expectError(t, run({ checkpoints: [other] }), 'signature', 64, /origin/)
})
