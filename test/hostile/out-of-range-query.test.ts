import t from 'tap'
import { buildTestApp, sampleEvent, testConfig } from '../helper.js'

// Query values the schema's form accepts but PostgreSQL cannot hold (a bigint past 2^63, year
// 0000, an offset past ±15:59) must be a 400 naming the parameter, never a 500 from the driver.
t.test('out-of-range query values are a 400 naming the parameter', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  // One stored event, so that every route has a chain to read.
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent() })).statusCode, 202)

  const cases: Array<[url: string, field: string]> = [
    ['/audit-events?seq_from=1e20', '/seq_from'],
    ['/audit-events?seq_to=9223372036854775808', '/seq_to'],
    ['/audit-events?occurred_from=0000-01-01T00:00:00Z', '/occurred_from'],
    ['/audit-events?occurred_from=2026-11-26T12:00:00%2B23:00', '/occurred_from'],
    ['/audit-events?occurred_to=2026-11-26T12:00:00-16:00', '/occurred_to'],
    ['/audit-events?received_from=0000-01-01T00:00:00Z', '/received_from'],
    ['/audit-events?received_to=2026-11-26T12:00:00%2B23:59', '/received_to'],
    ['/checkpoints?size=1e20', '/size'],
    ['/verify?to_seq=1e20', '/to_seq'],
    ['/verify?from_seq=1e20', '/from_seq'],
    ['/audit-events/export?to_seq=1e20', '/to_seq'],
    ['/proofs/consistency?from=1&to=1e20', '/to'],
    ['/proofs/consistency?from=1e20', '/from'],
    ['/audit-events/00000000-0000-7000-8000-000000000000/proof?tree_size=1e20', '/tree_size']
  ]
  for (const [url, field] of cases) {
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 400, `${url}: ${res.body.slice(0, 300)}`)
    const body = res.json()
    t.match(body.errors, [{ field, in: 'querystring' }], `${url}: names ${field}`)
  }

  // The bounds themselves are accepted.
  t.equal((await app.inject({ method: 'GET', url: `/audit-events?seq_from=${Number.MAX_SAFE_INTEGER}` })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/audit-events?occurred_from=2026-11-26T12:00:00%2B15:59' })).statusCode, 200)
})
