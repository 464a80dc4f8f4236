import t from 'tap'
import { buildTestApp, countRows, openDatabase, startTestWorker, testConfig, waitFor } from '../helper.js'

interface Seed { action: string, actor: { type: string, id: string }, target: { type: string, id: string }, outcome: string, request_id: string, occurred_at: string }

// 120 events whose fields cycle with different periods, so every filter has a known answer.
const seed: Seed[] = Array.from({ length: 120 }, (_, i) => ({
  action: ['user.login', 'user.logout', 'doc.edit', 'doc.delete', 'user_admin.grant'][i % 5]!,
  actor: { type: i % 3 === 0 ? 'service' : 'user', id: `u${i % 7}` },
  target: { type: i % 2 === 0 ? 'doc' : 'session', id: `t${i % 4}` },
  outcome: ['success', 'failure', 'unknown'][i % 3]!,
  request_id: `req-${i % 10}`,
  occurred_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()
}))

t.test('each filter returns exactly what it should; pages cover everything once', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const res = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: seed } })
  t.equal(res.statusCode, 202)
  await waitFor(async () => await countRows(db) === seed.length, { what: 'seeded rows' })

  const all = async (query: string) => {
    const seqs: number[] = []
    let cursor: string | null = null
    do {
      const page: { statusCode: number, body: string, json: () => any } = await app.inject({ method: 'GET', url: `/audit-events?limit=7&${query}${cursor === null ? '' : `&cursor=${cursor}`}` })
      t.equal(page.statusCode, 200, `${query}: ${page.body.slice(0, 200)}`)
      const body: { items: Array<{ seq: number }>, next_cursor: string | null } = page.json()
      seqs.push(...body.items.map((i: { seq: number }) => i.seq))
      cursor = body.next_cursor
    } while (cursor !== null)
    return seqs
  }
  const expected = (keep: (s: Seed, seq: number) => boolean, desc = false) => {
    const seqs = seed.map((s, i) => keep(s, i + 1) ? i + 1 : 0).filter(Boolean)
    return desc ? seqs.reverse() : seqs
  }
  const cases: Array<[string, (s: Seed, seq: number) => boolean, boolean?]> = [
    ['', () => true],
    ['order=desc', () => true, true],
    ['actor.id=u3', s => s.actor.id === 'u3'],
    ['actor.type=service', s => s.actor.type === 'service'],
    ['action=user.login', s => s.action === 'user.login'],
    ['action=user.*', s => s.action.startsWith('user.')],
    ['action=user_admin.*', s => s.action.startsWith('user_admin.')],
    ['target.type=doc&target.id=t2', s => s.target.type === 'doc' && s.target.id === 't2'],
    ['target.id=t1', s => s.target.id === 't1'],
    ['outcome=failure', s => s.outcome === 'failure'],
    ['request_id=req-4', s => s.request_id === 'req-4'],
    ['occurred_from=2026-01-01T00:30:00Z&occurred_to=2026-01-01T01:00:00Z', s => s.occurred_at >= '2026-01-01T00:30:00.000Z' && s.occurred_at < '2026-01-01T01:00:00.000Z'],
    ['seq_from=50&seq_to=60', (_s, seq) => seq >= 50 && seq <= 60],
    ['seq_from=50&seq_to=60&order=desc', (_s, seq) => seq >= 50 && seq <= 60, true],
    ['action=doc.*&outcome=success&actor.type=user', s => s.action.startsWith('doc.') && s.outcome === 'success' && s.actor.type === 'user']
  ]
  for (const [query, keep, desc] of cases) {
    t.same(await all(query), expected(keep, desc), `filter ${query || '(none)'}`)
  }
  const received = (await app.inject({ method: 'GET', url: '/audit-events?limit=1' })).json().items[0].record.received_at
  t.equal((await all(`received_from=${encodeURIComponent(received)}`)).length, 120, 'received_at range')
  t.same(await all('received_to=2000-01-01T00:00:00Z'), [], 'received_at range (empty)')

  const bad = await app.inject({ method: 'GET', url: '/audit-events?limit=2&order=asc' })
  const cursor = bad.json().next_cursor
  const replay = await app.inject({ method: 'GET', url: `/audit-events?limit=2&order=desc&cursor=${cursor}` })
  t.equal(replay.statusCode, 400, 'a cursor is bound to its query')
  t.match(replay.json().errors, [{ field: '/cursor' }])
  t.equal((await app.inject({ method: 'GET', url: '/audit-events?limit=1001' })).statusCode, 400)
  t.equal((await app.inject({ method: 'GET', url: '/audit-events?colour=red' })).statusCode, 400, 'unknown filters are refused')

  const one = (await app.inject({ method: 'GET', url: '/audit-events?limit=1' })).json().items[0]
  const byId = await app.inject({ method: 'GET', url: `/audit-events/${one.id}` })
  t.same(byId.json(), one)
  t.match(byId.json(), { seq: 1, hash: /^[0-9a-f]{64}$/, prev_hash: '0'.repeat(64) })
  t.equal((await app.inject({ method: 'GET', url: '/audit-events/0193a1b2-0000-7000-8000-00000000ffff' })).statusCode, 404)
})

t.test('paging while events arrive returns every event exactly once', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const event = (i: number) => ({ ...seed[0]!, target: { type: 'doc', id: `live-${i}` } })
  const first = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: Array.from({ length: 50 }, (_, i) => event(i)) } })
  t.equal(first.statusCode, 202)
  await waitFor(async () => await countRows(db) === 50, { what: 'first 50' })

  let writing = true
  let written = 50
  const writer = (async () => {
    while (writing && written < 400) {
      const res = await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: Array.from({ length: 10 }, (_, i) => event(written + i)) } })
      if (res.statusCode === 202) written += 10
    }
  })()
  const seen: number[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const body: { items: Array<{ seq: number }>, next_cursor: string | null } = (await app.inject({ method: 'GET', url: `/audit-events?limit=5${cursor === null ? '' : `&cursor=${cursor}`}` })).json()
    seen.push(...body.items.map((i: { seq: number }) => i.seq))
    cursor = body.next_cursor
    pages++
  } while (cursor !== null && pages < 500)
  writing = false
  await writer
  t.same(seen, Array.from({ length: seen.length }, (_, i) => i + 1), 'no event skipped or repeated, in order')
  t.ok(seen.length >= 50, `${seen.length} events read while ${written} were written`)
})
