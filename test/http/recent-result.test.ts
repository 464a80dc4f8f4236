import t from 'tap'
import { RecentResult } from '../../src/http/recent-result.js'

// A clock the test moves by hand, and a probe that counts its calls and can be held open.
function setup (maxAgeMs: number) {
  let now = 0
  let calls = 0
  let release: (() => void) | undefined
  let hold = false
  const probe = async () => {
    calls++
    const n = calls
    if (hold) await new Promise<void>(resolve => { release = resolve })
    return n
  }
  const recent = new RecentResult(probe, maxAgeMs, () => now)
  return {
    recent,
    calls: () => calls,
    advance: (ms: number) => { now += ms },
    holdNext: () => { hold = true },
    releaseHeld: () => { hold = false; release?.() }
  }
}

t.test('a reading within maxAge is reused without probing', async t => {
  const s = setup(1000)
  t.equal(await s.recent.get(), 1)
  s.advance(1000)
  t.equal(await s.recent.get(), 1)
  t.equal(s.calls(), 1)
})

t.test('between maxAge and twice it: the old reading answers at once, one refresh runs behind it', async t => {
  const s = setup(1000)
  await s.recent.get()
  s.advance(1500)
  s.holdNext()
  t.equal(await s.recent.get(), 1, 'answered with the old reading')
  t.equal(await s.recent.get(), 1, 'again, while the refresh is held')
  t.equal(s.calls(), 2, 'one refresh for both')
  s.releaseHeld()
  await t.resolves(async () => {
    while (await s.recent.get() !== 2) await new Promise(resolve => setImmediate(resolve))
  }, 'the refreshed reading is served once it lands')
})

t.test('past twice maxAge the caller waits for a fresh reading; concurrent callers share it', async t => {
  const s = setup(1000)
  await s.recent.get()
  s.advance(2001)
  const [a, b] = await Promise.all([s.recent.get(), s.recent.get()])
  t.same([a, b], [2, 2])
  t.equal(s.calls(), 2)
})

t.test('maxAge 0 probes on every call', async t => {
  const s = setup(0)
  await s.recent.get()
  await s.recent.get()
  t.equal(s.calls(), 2)
})

t.test('a failed probe is not kept: the next call probes again', async t => {
  let calls = 0
  const recent = new RecentResult(async () => {
    calls++
    if (calls === 1) throw new Error('down')
    return calls
  }, 1000, () => 0)
  await t.rejects(recent.get(), /down/)
  t.equal(await recent.get(), 2)
})
