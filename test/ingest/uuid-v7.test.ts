import t from 'tap'
import { uuidV7 } from '../../src/ingest/uuid-v7.js'

const V7_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** The 48-bit millisecond timestamp from the first 12 hex digits. */
function timestampOf (id: string): number {
  return Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)
}

function counterOf (id: string): number {
  return Number.parseInt(id.slice(15, 18), 16)
}

t.test('has the RFC 9562 version 7 layout', async (t) => {
  for (let i = 0; i < 1000; i++) {
    const id = uuidV7()
    if (!V7_SHAPE.test(id)) t.fail(`bad shape: ${id}`)
  }
  t.pass('1000 ids have version 7 and variant 10')
})

t.test('encodes the given or current time', async (t) => {
  const fixed = 0x0123_4567_89ab
  const id = uuidV7(fixed)
  t.equal(id.slice(0, 13), '01234567-89ab')
  t.equal(timestampOf(id), fixed)
  t.equal(timestampOf(uuidV7(1_600_000_000_000.9)), 1_600_000_000_000, 'fractions dropped')
  t.equal(timestampOf(uuidV7(0)), 0)
  t.equal(timestampOf(uuidV7(2 ** 48 - 1)), 2 ** 48 - 1)

  // Far from all earlier timestamps, so the monotonic state does not carry over.
  const before = Date.now()
  const current = timestampOf(uuidV7())
  t.ok(current >= before && current <= Date.now() + 1)
})

t.test('is strictly increasing within one millisecond', async (t) => {
  const now = 1_700_000_000_000
  const ids = Array.from({ length: 10_000 }, () => uuidV7(now))
  t.equal(new Set(ids).size, ids.length, 'unique')
  let ordered = true
  for (let i = 1; i < ids.length; i++) if (ids[i - 1]! >= ids[i]!) ordered = false
  t.ok(ordered, 'each id sorts after the previous one')
  // The counter space (<= 4096 per ms) overflows, which must advance the timestamp.
  t.ok(timestampOf(ids.at(-1)!) > now)
  t.ok(ids.every((id) => V7_SHAPE.test(id)))
})

t.test('the counter is seeded randomly with headroom each millisecond', async (t) => {
  const counters = new Set<number>()
  for (let ms = 1_650_000_000_000; ms < 1_650_000_000_200; ms++) {
    const counter = counterOf(uuidV7(ms))
    t.ok(counter <= 0x7ff, 'seed leaves the top counter bit clear')
    counters.add(counter)
  }
  t.ok(counters.size > 100, 'seeds vary between milliseconds')
})

t.test('keeps order across a small clock regression, not across a large jump back', async (t) => {
  const now = 1_710_000_000_000
  const first = uuidV7(now)
  const afterStepBack = uuidV7(now - 500)
  t.ok(afterStepBack > first)
  t.equal(timestampOf(afterStepBack), now)

  const older = uuidV7(now - 3_600_000)
  t.equal(timestampOf(older), now - 3_600_000, 'an explicit older time is honoured')
})

t.test('rejects timestamps outside 48 bits', async (t) => {
  t.throws(() => uuidV7(-1), RangeError)
  t.throws(() => uuidV7(2 ** 48), RangeError)
  t.throws(() => uuidV7(Number.NaN), RangeError)
  t.throws(() => uuidV7(Number.POSITIVE_INFINITY), RangeError)
})
