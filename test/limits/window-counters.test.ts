import t from 'tap'
import { WindowCounters } from '../../src/limits/window-counters.js'

const WINDOW = 1000

t.test('hits in a window count up and the time left runs down', async t => {
  const counters = new WindowCounters(0.1)
  const first = counters.hit('k', WINDOW, 100, 0)
  t.same([first.current, first.ttl, first.position], [1, 1000, 1])
  const second = counters.hit('k', WINDOW, 100, 400)
  t.same([second.current, second.ttl, second.position], [2, 600, 2])
  t.same(counters.peek('k', 500), { current: 2, ttl: 500 }, 'peek counts nothing')
  t.equal(counters.hit('other', WINDOW, 100, 400).current, 1, 'keys are counted apart')
})

t.test('a sync reply brings in the other instances\' hits and Redis\'s time left', async t => {
  const counters = new WindowCounters(0.1)
  counters.hit('k', WINDOW, 100, 0)
  counters.hit('k', WINDOW, 100, 0)
  const batch = counters.takeBatch(10)
  t.same(batch.map(item => [item.entry.key, item.hits]), [['k', 2]])
  t.equal(counters.hit('k', WINDOW, 100, 20).current, 3, 'hits in flight still count while the sync runs')
  counters.settle(batch, [{ count: 12, ttl: 700 }], 30)
  const after = counters.hit('k', WINDOW, 100, 30)
  t.equal(after.current, 14, '12 in Redis (ours included) + the hit during the sync + this one')
  t.equal(after.ttl, 700, 'the window ends when Redis says')
  t.same(counters.takeBatch(40).map(item => item.hits), [2], 'only hits since the last batch are sent')
  t.same(counters.takeBatch(40), [], 'nothing pending, nothing sent')
})

t.test('when the window ends the key starts again from zero', async t => {
  const counters = new WindowCounters(0.1)
  for (let i = 0; i < 5; i++) counters.hit('k', WINDOW, 100, 0)
  const batch = counters.takeBatch(0)
  counters.settle(batch, [{ count: 50, ttl: 300 }], 0)
  t.equal(counters.hit('k', WINDOW, 100, 299).current, 51)
  const next = counters.hit('k', WINDOW, 100, 300)
  t.same([next.current, next.ttl, next.position], [1, WINDOW, 1], 'rolled over: a new window of its own length')
  t.same(counters.peek('k', 1300), { current: 0, ttl: 0 })
})

t.test('hits of an ended window are not sent into the next one', async t => {
  const counters = new WindowCounters(0.1)
  counters.hit('k', WINDOW, 100, 0)
  t.same(counters.takeBatch(WINDOW), [])
})

t.test('an early sync once unsynced hits reach a tenth of what remains', async t => {
  const counters = new WindowCounters(0.1)
  const syncs = (from: number, n: number) => Array.from({ length: n }, () => counters.hit('k', WINDOW, 100, from).syncNow)
  t.same(syncs(0, 10), [false, false, false, false, false, false, false, false, false, true], '10 of 100 left')
  counters.settle(counters.takeBatch(0), [{ count: 50, ttl: 500 }], 0)
  t.same(syncs(0, 5), [false, false, false, false, true], '5 of 50 left')
  counters.settle(counters.takeBatch(0), [{ count: 95, ttl: 500 }], 0)
  t.same(syncs(0, 2), [true, true], 'fewer than 10 left: every hit')
  counters.settle(counters.takeBatch(0), [{ count: 100, ttl: 500 }], 0)
  const over = counters.hit('k', WINDOW, 100, 0)
  t.same([over.current, over.syncNow], [101, false], 'past the limit by counted hits: refused without a sync')
})

t.test('hits in flight count against what remains', async t => {
  const counters = new WindowCounters(0.1)
  for (let i = 0; i < 10; i++) counters.hit('k', WINDOW, 100, 0)
  counters.takeBatch(0)
  const syncAt = Array.from({ length: 9 }, () => counters.hit('k', WINDOW, 100, 0).syncNow).indexOf(true) + 1
  t.equal(syncAt, 9, '90 remain once the 10 in flight are counted')
})

t.test('a failed sync puts its hits back for the next one', async t => {
  const counters = new WindowCounters(0.1)
  counters.hit('k', WINDOW, 100, 0)
  counters.hit('k', WINDOW, 100, 0)
  const failed = counters.takeBatch(0)
  counters.hit('k', WINDOW, 100, 0)
  counters.restore(failed)
  t.equal(counters.peek('k', 0).current, 3, 'still counted here')
  t.same(counters.takeBatch(0).map(item => item.hits), [3], 'all three go with the retry')
})

t.test('keys whose window has ended are evicted, others kept', async t => {
  const counters = new WindowCounters(0.1)
  for (let i = 0; i < 1000; i++) counters.hit(`idle${i}`, WINDOW, 100, 0)
  const synced = counters.takeBatch(0)
  counters.settle(synced, synced.map(() => ({ count: 1, ttl: WINDOW })), 0)
  counters.hit('syncing', WINDOW, 100, 0)
  const inFlight = counters.takeBatch(0)
  counters.hit('busy', WINDOW, 100, 500)
  counters.evict(WINDOW)
  t.equal(counters.size, 2, 'only "busy" (window ends at 1500) and "syncing" (its reply is awaited) remain')
  t.equal(counters.peek('busy', WINDOW).current, 1)
  counters.settle(inFlight, [{ count: 1, ttl: 0 }], WINDOW)
  counters.evict(WINDOW)
  t.equal(counters.size, 1)
  t.same(counters.takeBatch(WINDOW).map(item => item.entry.key), ['busy'], 'evicted keys have nothing to send')
})
