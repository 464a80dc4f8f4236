import t, { type Test } from 'tap'
import { ChainAppender } from '../../src/worker/chain-appender.js'
import { LogVerifier } from '../../src/core/verify/index.js'
import { MemoryEventStore } from '../../src/store/memory-event-store.js'
import { ORIGIN, checkpoint, newLogKey } from '../core/helpers/build-log.js'
import { ObservedStore, queuedEvent as event, queuedEvents as events, seqs } from './helpers/observed-store.js'

// The cases of test/worker/append-pipeline.test.ts, on the in-memory store: the appender's pipelining
// and the store's contract, with no PostgreSQL.

const key = newLogKey()

/** The stored chain, checked from its records by the LogVerifier against a checkpoint of its head. */
async function verifyChain (t: Test, store: MemoryEventStore, tenant: string, expected: number): Promise<void> {
  const rows = store.rows(tenant)
  const head = await store.head(tenant)
  t.equal(head?.size, expected, `${tenant}: head at ${expected}`)
  const verifier = new LogVerifier({ tenant, origin: ORIGIN, verifiers: [key.verifier], endSeq: expected })
  verifier.addCheckpoint(checkpoint(key, head!.size, head!.rootHash))
  for (const row of rows) verifier.addRecord({ seq: row.seq, canonical: row.canonical, prevHash: row.prevHash, hash: row.hash })
  const result = verifier.finish()
  t.same(result.first_error, null, `${tenant}: chain and tree verify`)
  t.equal(result.checked, expected)
  t.equal(result.checkpoints_checked, 1, `${tenant}: the head's root is the tree's`)
  t.equal(new Set(rows.map(r => r.id)).size, rows.length, `${tenant}: each id once`)
}

t.test('requests arriving while a transaction is in flight are linked on its predicted head; the chain verifies', async t => {
  const memory = new MemoryEventStore()
  const store = new ObservedStore(memory, { turnPerCommit: true })
  const appender = new ChainAppender({ store, maxBatch: 50 })

  const requests = Array.from({ length: 40 }, (_, i) => {
    const tenant = i % 4 === 3 ? 'globex' : 'acme'
    return { tenant, events: events(tenant, `r${i}-`, 10) }
  })
  const outcomes = await Promise.all(requests.map(r => appender.append(r.tenant, r.events)))

  t.ok(outcomes.flat().every(o => o.status === 'stored'), 'every event stored')
  for (const [tenant, n] of [['acme', 300], ['globex', 100]] as const) {
    const mine = outcomes.filter((_, i) => requests[i]!.tenant === tenant).flat()
    t.same(seqs(mine), Array.from({ length: n }, (_, i) => i + 1), `${tenant}: seq 1..${n}, in the order the requests came`)
    await verifyChain(t, memory, tenant, n)
  }
  t.ok(store.prepared.some(p => p.base !== undefined && p.whileCommitting), 'a batch was prepared on a predicted head while a transaction was in flight')
  t.ok(store.commits.some(c => c.base !== undefined && c.result?.recomputed === false), 'and committed as prepared')
  t.ok(store.commits.every(c => c.count <= 50), 'no transaction above maxBatch')
})

t.test('a head moved by another writer between prepare and commit: linked again on the real head', async t => {
  const memory = new MemoryEventStore()
  const store = new ObservedStore(memory, { turnPerCommit: true })
  const appender = new ChainAppender({ store, maxBatch: 100 })
  const other = new ChainAppender({ store: memory, maxBatch: 100 })

  const held = store.hold(2)
  const first = appender.append('acme', events('acme', 'a', 3))
  const second = appender.append('acme', events('acme', 'b', 3)) // commit 2, prepared on the head after commit 1
  await held.started
  const linked = store.linkedOn(6)
  const third = appender.append('acme', events('acme', 'c', 3))
  await linked // the third batch is linked on the head the second predicts

  t.same(seqs(await other.append('acme', events('acme', 'o', 2))), [4, 5], 'another writer moves the head meanwhile')
  held.release('commit')

  t.same(seqs(await first), [1, 2, 3])
  t.same(seqs(await second), [6, 7, 8], 'the second batch goes after the other writer\'s events')
  t.same(seqs(await third), [9, 10, 11])
  t.equal(store.commits[1]!.base?.size, 3, 'the second batch had been prepared on size 3')
  t.equal(store.commits[1]!.result?.recomputed, true, 'and was linked again at commit')
  t.equal(store.commits[2]!.base?.size, 8, 'the third batch was linked again on the real head before its commit')
  t.equal(store.commits[2]!.result?.recomputed, false)
  await verifyChain(t, memory, 'acme', 11)
})

t.test('a redelivered id in a pipelined batch is a duplicate (or a conflict), stored once', async t => {
  const memory = new MemoryEventStore()
  const store = new ObservedStore(memory, { turnPerCommit: true })
  const appender = new ChainAppender({ store, maxBatch: 100 })

  const batch = events('acme', 'a', 3)
  const held = store.hold(2)
  const first = appender.append('acme', events('acme', 'z', 1))
  const second = appender.append('acme', batch)
  await held.started
  const fresh = event('acme', 'c')
  const rewritten = event('acme', 'a2-other', { id: batch[2]!.record.id })
  const linked = store.linkedOn(4)
  // A redelivery of an event still in flight, a new event twice, and an old id with new content.
  const third = appender.append('acme', [batch[1]!, fresh, fresh, rewritten])
  await linked // on the head the second batch predicts
  held.release('commit')

  t.same(seqs(await first), [1])
  t.same(seqs(await second), [2, 3, 4])
  const outcomes = await third
  t.same(outcomes.map(o => o.status), ['duplicate', 'stored', 'duplicate', 'conflict'])
  t.same(seqs(outcomes), [3, 5, 5, 4])
  t.equal(store.commits[2]!.base?.size, 4, 'committed from the prepared batch\'s base')
  t.equal(store.commits[2]!.result?.recomputed, true, 'but linked again: an id was already stored')

  t.same(seqs(await appender.append('acme', batch)), [2, 3, 4], 'a whole batch redelivered later: duplicates')
  await verifyChain(t, memory, 'acme', 5)
})

t.test('a failed commit: the batch behind it is not stored on the head the failed one predicted', async t => {
  const memory = new MemoryEventStore()
  const store = new ObservedStore(memory, { turnPerCommit: true })
  const appender = new ChainAppender({ store, maxBatch: 100 })

  const held = store.hold(2)
  const first = appender.append('acme', events('acme', 'a', 1))
  const failing = appender.append('acme', events('acme', 'b', 2))
  await held.started
  const linked = store.linkedOn(3)
  const after = appender.append('acme', events('acme', 'c', 2))
  await linked // on the head of the batch that is about to fail
  const phantom = store.prepared.findLast(p => p.base?.size === 3)!.base
  held.release('fail')

  t.same(seqs(await first), [1])
  await t.rejects(failing, { message: 'injected commit failure' }, 'the failed batch\'s requests are rejected')
  t.same(seqs(await after), [2, 3], 'the next batch takes the seqs the failed one would have had')
  t.equal(store.commits[2]!.base, undefined, 'it was not committed on the phantom head')

  // The store's own guard, without the appender: a batch on a head of the right size whose
  // hash never existed is linked again on the real head.
  const stray = memory.prepare('acme', phantom)
  stray.add([event('acme', 'd')])
  const committed = await memory.commit(stray)
  t.equal(committed.recomputed, true)
  t.same(seqs(committed.outcomes), [4])
  await verifyChain(t, memory, 'acme', 4)
})

t.test('two appenders racing on one chain, with redeliveries across them: one chain, each id once', async t => {
  const memory = new MemoryEventStore()
  const stores = [0, 1].map(() => new ObservedStore(memory, { turnPerCommit: true }))
  const appenders = stores.map(store => new ChainAppender({ store, maxBatch: 40 }))
  const requests = Array.from({ length: 60 }, (_, i) => events('acme', `r${i}-`, 7))
  const outcomes = await Promise.all(requests.flatMap((list, i) => [
    appenders[i % 2]!.append('acme', list),
    ...(i % 3 === 0 ? [appenders[(i + 1) % 2]!.append('acme', list)] : [])
  ]))

  t.equal(outcomes.flat().filter(o => o.status === 'stored').length, 420, 'each event stored once')
  t.ok(outcomes.flat().every(o => o.status !== 'conflict'), 'a redelivery is never a conflict')
  t.ok(stores.some(s => s.commits.some(c => c.base !== undefined && c.result?.recomputed === true)), 'some predictions missed and were linked again')
  await verifyChain(t, memory, 'acme', 420)
})
