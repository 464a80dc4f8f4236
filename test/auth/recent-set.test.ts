import t from 'tap'
import { RecentSet } from '../../src/auth/recent-set.js'

t.test('an entry is remembered for one to two generations', async t => {
  const set = new RecentSet(1000, 100)
  set.add('a', 0)
  t.ok(set.has('a', 999))
  t.ok(set.has('a', 1500), 'in the previous generation')
  set.add('b', 1500)
  t.notOk(set.has('a', 2000), 'two generations later it is gone')
  t.ok(set.has('b', 2000))
  t.notOk(set.has('b', 3500), 'a long silence forgets everything')
})

t.test('the size is bounded whatever is added', async t => {
  const set = new RecentSet(60_000, 10)
  for (let i = 0; i < 1000; i++) set.add(`k${i}`, 0)
  t.ok(set.size <= 20)
  t.ok(set.has('k999', 0), 'the newest are kept')
  t.notOk(set.has('k0', 0))
})

t.test('delete and clear forget at once; a zero length remembers nothing', async t => {
  const set = new RecentSet(1000, 100)
  set.add('a', 0)
  set.add('b', 0)
  set.delete('a')
  t.notOk(set.has('a', 1))
  t.ok(set.has('b', 1))
  set.clear()
  t.notOk(set.has('b', 1))
  const off = new RecentSet(0, 100)
  off.add('a', 5)
  t.notOk(off.has('a', 5))
})
