import t from 'tap'
import { measureReadsUnderLoad } from '../../bench/measure-reads-under-load.js'
import { seedChainedLog } from '../../bench/seed-chained-log.js'
import { logOrigin } from '../../src/core/checkpoint/index.js'
import { ADMIN_AUTH, buildTestApp, openDatabase, testConfig } from '../helper.js'

// The figure is 1,000,000 rows and 50,000 checkpoints (`npm run bench`, figure 9);
// here the log is smaller by default so the test runs in about a minute on two cores. The
// checkpoints, which froze the event loop for seconds, are the full 50,000.
const ROWS = Number(process.env.READS_TEST_ROWS ?? 100_000)
const CHECKPOINTS = Number(process.env.READS_TEST_CHECKPOINTS ?? 50_000)
// The target is a p99 under 50 ms, measured by figure 9 with the API in its own
// process (37 ms at a load average of 8 once the reads ran in threads). Here the API, the four
// readers' clients and the probe share one process on a two-core machine that other test files
// load too, so the assertion has a margin of 2x. Before the reads moved to worker threads
// p99 was 55 ms (load 6) to 134 ms (load 13) here; the older code held the loop for the whole checkpoint set at once:
// p99 over 3,000 ms with 20,000 checkpoints.
const TARGET_MS = 50

// Writing the log and reading it four times takes a minute or two on a busy two-core machine.
t.setTimeout(300_000)
const P99_LIMIT_MS = Number(process.env.READS_TEST_P99_MS ?? TARGET_MS * 2)

t.test(`/health/live p99 stays low (target ${TARGET_MS} ms, asserted < ${P99_LIMIT_MS} ms) while two verifies and two exports read ${ROWS} rows and ${CHECKPOINTS} checkpoints`, async (t) => {
  // Two verifies of one tenant at a time, so that both run against the big log.
  const config = await testConfig(t, { READ_VERIFY_PER_TENANT: '2' })
  const app = await buildTestApp(t, config)
  const db = openDatabase(t, config.databaseUrl)
  await seedChainedLog(db, {
    tenant: 'big',
    rows: ROWS,
    checkpoints: CHECKPOINTS,
    origin: logOrigin(config.logOrigin, 'big'),
    key: { name: logOrigin(config.logOrigin, 'big'), privateKey: app.signingKey.privateKey },
    log: m => t.comment(m)
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`

  const figure = await measureReadsUnderLoad({ base, tenant: 'big', rows: ROWS, headers: ADMIN_AUTH })

  for (const v of figure.verifies) {
    t.equal(v.status, 200)
    t.match(v.body, { valid: true, checked: ROWS, checkpoints_checked: CHECKPOINTS, first_error: null }, 'the verify is valid and saw every row and checkpoint')
  }
  for (const e of figure.exports) {
    t.equal(e.status, 200)
    t.match(e.tail, `{"type":"end","records":${ROWS}}`, 'the export is complete')
  }
  const { health, loopDelay } = figure
  t.comment(`reads took ${figure.seconds.toFixed(1)} s; /health/live: ${health.probes} probes, p50 ${health.p50.toFixed(1)} ms, p99 ${health.p99.toFixed(1)} ms, max ${health.max.toFixed(1)} ms; ` +
    `event loop delay p99 ${loopDelay.p99.toFixed(1)} ms, max ${loopDelay.max.toFixed(1)} ms`)
  t.equal(health.failures, 0, 'every probe answered 200')
  t.ok(health.probes >= 20, `enough probes (${health.probes})`)
  t.ok(health.p99 < P99_LIMIT_MS, `p99 ${health.p99.toFixed(1)} ms < ${P99_LIMIT_MS} ms`)
})
