import t from 'tap'
import { ChainAppender } from '../../src/worker/chain-appender.js'
import { PgEventStore } from '../../src/store/pg-event-store.js'
import { recomputeChain } from '../chain-check.js'
import { createTestDatabase, openDatabase } from '../helper.js'
import { ObservedStore, queuedEvent as event, queuedEvents as events, seqs } from './helpers/observed-store.js'

t.test('requests arriving while a transaction is in flight are linked on its predicted head; the chain recomputes', async t => {
  const db = openDatabase(t, await createTestDatabase(t))
  const store = new ObservedStore(new PgEventStore(db))
  const appender = new ChainAppender({ store, maxBatch: 50 })

  const requests = Array.from({ length: 40 }, (_, i) => {
    const tenant = i % 4 === 3 ? 'globex' : 'acme'
    return { tenant, events: events(tenant, `r${i}-`, 10) }
  })
  const outcomes = await Promise.all(requests.map(r => appender.append(r.tenant, r.events)))

  t.ok(outcomes.flat().every(o => o.status === 'stored'), 'every event stored')
  for (const [tenant, n] of [['acme', 300], ['globex', 100]] as const) {
    const mine = outcomes.filter((_, i) => requests[i]!.tenant === tenant).flat()
    t.same(seqs(mine).sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i + 1), `${tenant}: seq 1..${n}`)
    t.same(seqs(mine), [...seqs(mine)].sort((a, b) => a - b), `${tenant}: requests stored in the order they came`)
    const chain = await recomputeChain(db, tenant)
    t.same(chain.problems, [], `${tenant}: chain and tree recompute`)
    t.equal(chain.count, n)
  }
  t.ok(store.prepared.some(p => p.base !== undefined && p.whileCommitting), 'a batch was prepared on a predicted head while a transaction was in flight')
  t.ok(store.commits.some(c => c.base !== undefined && c.result?.recomputed === false), 'and committed as prepared')
  t.ok(store.commits.every(c => c.count <= 50), 'no transaction above maxBatch')
})

t.test('a head moved by another appender between prepare and commit: linked again on the locked head', async t => {
  const url = await createTestDatabase(t)
  const db = openDatabase(t, url)
  const store = new ObservedStore(new PgEventStore(db))
  const appender = new ChainAppender({ store, maxBatch: 100 })
  const other = new ChainAppender({ store: new PgEventStore(openDatabase(t, url)), maxBatch: 100 })

  const held = store.hold(2)
  const first = appender.append('acme', events('acme', 'a', 3))
  const second = appender.append('acme', events('acme', 'b', 3)) // commit 2, prepared on the head after commit 1
  await held.started
  const prepared = store.nextPrepare()
  const third = appender.append('acme', events('acme', 'c', 3)) // prepared on the head commit 2 predicts
  t.equal((await prepared)?.size, 6, 'the third batch is prepared on the head the second predicts')

  t.same(seqs(await other.append('acme', events('acme', 'o', 2))), [4, 5], 'another appender moves the head meanwhile')
  held.release('commit')

  t.same(seqs(await first), [1, 2, 3])
  t.same(seqs(await second), [6, 7, 8], 'the second batch goes after the other appender\'s events')
  t.same(seqs(await third), [9, 10, 11])
  t.equal(store.commits[1]!.base?.size, 3, 'the second batch had been prepared on size 3')
  t.equal(store.commits[1]!.result?.recomputed, true, 'and was linked again in its transaction')
  t.equal(store.commits[2]!.base?.size, 8, 'the third batch was linked again on the real head before its commit')
  t.equal(store.commits[2]!.result?.recomputed, false)
  const chain = await recomputeChain(db, 'acme')
  t.same(chain.problems, [], 'no fork, no gap')
  t.equal(chain.count, 11)
})

t.test('a redelivered id in a pipelined batch is a duplicate (or a conflict), stored once', async t => {
  const db = openDatabase(t, await createTestDatabase(t))
  const store = new ObservedStore(new PgEventStore(db))
  const appender = new ChainAppender({ store, maxBatch: 100 })

  const batch = events('acme', 'a', 3)
  const held = store.hold(2)
  const first = appender.append('acme', events('acme', 'z', 1))
  const second = appender.append('acme', batch)
  await held.started
  const fresh = event('acme', 'c')
  const rewritten = event('acme', 'a2-other', { id: batch[2]!.record.id })
  const prepared = store.nextPrepare()
  // A redelivery of an event still in flight, a new event twice, and an old id with new content.
  const third = appender.append('acme', [batch[1]!, fresh, fresh, rewritten])
  t.equal((await prepared)?.size, 4, 'prepared on the head the second batch predicts')
  held.release('commit')

  t.same(seqs(await first), [1])
  t.same(seqs(await second), [2, 3, 4])
  const outcomes = await third
  t.same(outcomes.map(o => o.status), ['duplicate', 'stored', 'duplicate', 'conflict'])
  t.same(seqs(outcomes), [3, 5, 5, 4])
  t.equal(store.commits[2]!.base?.size, 4, 'committed from the prepared batch\'s base')
  t.equal(store.commits[2]!.result?.recomputed, true, 'but linked again: an id was already stored')
  const chain = await recomputeChain(db, 'acme')
  t.same(chain.problems, [])
  t.equal(chain.count, 5, 'one row per id')
  t.equal(chain.distinctIds, 5)
})

t.test('a failed commit: the batch behind it is not stored on the head the failed one predicted', async t => {
  const db = openDatabase(t, await createTestDatabase(t))
  const pg = new PgEventStore(db)
  const store = new ObservedStore(pg)
  const appender = new ChainAppender({ store, maxBatch: 100 })

  const held = store.hold(2)
  const first = appender.append('acme', events('acme', 'a', 1))
  const failing = appender.append('acme', events('acme', 'b', 2))
  await held.started
  const prepared = store.nextPrepare()
  const after = appender.append('acme', events('acme', 'c', 2))
  const phantom = await prepared
  t.equal(phantom?.size, 3, 'prepared on the head of the batch that is about to fail')
  held.release('fail')

  t.same(seqs(await first), [1])
  await t.rejects(failing, { message: 'injected commit failure' }, 'the failed batch\'s requests are rejected')
  t.same(seqs(await after), [2, 3], 'the next batch takes the seqs the failed one would have had')
  t.equal(store.commits[2]!.base, undefined, 'it was not committed on the phantom head')
  let chain = await recomputeChain(db, 'acme')
  t.same(chain.problems, [])
  t.equal(chain.count, 3)

  // The store's own guard, without the appender: a batch on a head of the right size whose hash
  // never existed is linked again on the locked head.
  const stray = pg.prepare('acme', phantom)
  stray.add([event('acme', 'd')])
  const committed = await pg.commit(stray)
  t.equal(committed.recomputed, true)
  t.same(seqs(committed.outcomes), [4])
  chain = await recomputeChain(db, 'acme')
  t.same(chain.problems, [], 'no fork, no gap')
  t.equal(chain.count, 4)
})

t.test('two appenders racing on one chain, with redeliveries across them: one chain, each id once', async t => {
  const url = await createTestDatabase(t)
  const db = openDatabase(t, url)
  const stores = [0, 1].map(() => new ObservedStore(new PgEventStore(openDatabase(t, url))))
  const appenders = stores.map(store => new ChainAppender({ store, maxBatch: 40 }))
  const requests = Array.from({ length: 60 }, (_, i) => events('acme', `r${i}-`, 7))
  // Every request goes to one appender, and every third one to the other as well.
  const outcomes = await Promise.all(requests.flatMap((list, i) => [
    appenders[i % 2]!.append('acme', list),
    ...(i % 3 === 0 ? [appenders[(i + 1) % 2]!.append('acme', list)] : [])
  ]))

  const stored = outcomes.flat().filter(o => o.status === 'stored')
  t.equal(stored.length, 420, 'each event stored once')
  t.ok(outcomes.flat().every(o => o.status !== 'conflict'), 'a redelivery is never a conflict')
  const chain = await recomputeChain(db, 'acme')
  t.same(chain.problems, [], 'no fork, no gap')
  t.equal(chain.count, 420)
  t.equal(chain.distinctIds, 420)
  t.ok(stores.some(s => s.commits.some(c => c.base !== undefined && c.result?.recomputed === true)), 'some predictions missed and were linked again')
})
