import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createLogger } from '../../src/logger.js'
import { createWorker, type AuditWorker } from '../../src/worker/create-worker.js'
import type { Config } from '../../src/config.js'
import { freePort } from '../faults/free-port.js'
import { CLOSED_PORT, ROOT, buildTestApp, openDatabase, sampleEvent, testConfig, waitFor, waitForQueueIdle } from '../helper.js'
import { queueConflictingEvent, rewriteRecord } from './log-faults.js'
import { promtool, promtoolPath } from './promtool.js'
import { recordedSeries, type RuleTestGroup, type Scrape } from './recorded-series.js'

const ALERTS_FILE = join(ROOT, 'docs', 'alerts.yml')
/** Every alert of docs/alerts.yml: each state says which of them must fire, the rest must not. */
const ALERT_NAMES = ['AuditDeadLetters', 'AuditQueueLag', 'AuditEventsNotStored', 'AuditCheckpointOverdue', 'AuditVerificationFailed', 'AuditVerificationStale', 'AuditWitnessPolicyNotMet']

/** The alerts docs/metrics.md suggested before: kept here to show what they did. */
const OLD_RULES = `groups:
  - name: old
    rules:
      - alert: OldCheckpointAge
        expr: max(audit_checkpoint_age_seconds) > 600
      - alert: OldLagQuantile
        expr: histogram_quantile(0.99, rate(audit_event_lag_seconds_bucket[5m])) > 10
`

const delay = async (ms: number) => await new Promise(resolve => setTimeout(resolve, ms))

t.test('promtool check rules accepts docs/alerts.yml, and it holds every alert the tests know', async t => {
  const { status, output } = await promtool(['check', 'rules', ALERTS_FILE])
  t.equal(status, 0, output)
  t.match(output, `SUCCESS: ${ALERT_NAMES.length} rules found`)
})

// The real API (buildApp, its metrics listener) and worker (createWorker, its listener), on
// PostgreSQL and Redis, are driven through states an operator meets; each state is scraped
// about once a second and the scrapes become recorded series for `promtool test rules`
// (see DILATION in recorded-series.ts for how seconds stand for minutes). In each state
// exactly the alerts it names fire, and none while idle or healthy.
t.test('each alert of docs/alerts.yml fires in its state and stays quiet when idle or healthy', { timeout: 400_000 }, async t => {
  promtoolPath() // without promtool, fail now rather than after a minute and a half of states
  const [apiPort, workerPort] = [await freePort(), await freePort()]
  const config = await testConfig(t, {
    API_METRICS_PORT: String(apiPort),
    WORKER_METRICS_PORT: String(workerPort),
    METRICS_CACHE_MS: '0',
    // One real second stands for a minute: the production defaults (10 s, 60 s) would be
    // far slower on that clock, so the test's are the fastest the settings allow.
    CHECKPOINT_INTERVAL_SECONDS: '1',
    VERIFY_INTERVAL_SECONDS: '1'
  })
  const app = await buildTestApp(t, config)
  await app.ready()
  const db = openDatabase(t, config.databaseUrl)

  let worker: AuditWorker | undefined
  const startWorker = async (overrides: Partial<Config> = {}) => {
    await worker?.close()
    worker = await createWorker({ ...config, ...overrides }, createLogger('silent', 'test-worker'))
  }
  const stopWorker = async () => { await worker?.close(); worker = undefined }
  t.teardown(stopWorker)

  const scrapeBody = async (port: number) => {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`)
      return res.status === 200 ? await res.text() : undefined
    } catch {
      return undefined // not listening: the target is down
    }
  }
  const scrapeAll = async (): Promise<Scrape> => ({ at: Date.now() / 1000, bodies: { 'audit-api': await scrapeBody(apiPort), 'audit-worker': await scrapeBody(workerPort) } })

  /** Scrapes once a second for `seconds`, while `traffic` (if any) posts events. */
  const record = async (seconds: number, traffic?: { tenant: string, everyMs: number }) => {
    let on = traffic !== undefined
    const posting = (async () => {
      while (on) {
        const res = await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ tenant: traffic!.tenant }) })
        if (res.statusCode !== 202) throw new Error(`ingest answered ${res.statusCode}: ${res.body}`)
        await delay(traffic!.everyMs)
      }
    })()
    const scrapes: Scrape[] = []
    const start = Date.now()
    try {
      for (let i = 0; i <= seconds; i++) {
        await delay(Math.max(0, start + i * 1000 - Date.now()))
        scrapes.push(await scrapeAll())
      }
    } finally {
      on = false
      await posting
    }
    return scrapes
  }

  const dir = t.testdir({ 'old-rules.yml': OLD_RULES })
  /**
   * Runs promtool on the state's scrapes: at the last step exactly `firing` (alert name, and
   * tenant for the per-tenant ones) of docs/alerts.yml fire; `old` checks the old rules.
   */
  const check = async (state: string, scrapes: Scrape[], firing: Array<{ alert: string, tenant?: string }>, old: Array<{ alert: string, fires: boolean }> = []) => {
    const { series, lastStep } = recordedSeries(scrapes)
    const firingSample = (alert: string, tenant?: string) => ({ labels: `{alertname="${alert}"${tenant === undefined ? '' : `,tenant="${tenant}"`}}`, value: 1 })
    const group: RuleTestGroup = {
      interval: '1m',
      input_series: series,
      promql_expr_test: [
        {
          expr: `count by (alertname, tenant) (ALERTS{alertstate="firing", alertname=~"${ALERT_NAMES.join('|')}"})`,
          eval_time: `${lastStep}m`,
          exp_samples: firing.map(f => firingSample(f.alert, f.tenant))
        },
        ...old.map(o => ({
          expr: `count by (alertname) (ALERTS{alertstate="firing", alertname="${o.alert}"})`,
          eval_time: `${lastStep}m`,
          exp_samples: o.fires ? [firingSample(o.alert)] : []
        }))
      ]
    }
    const file = join(dir, `${state}.test.json`)
    // JSON is YAML: promtool reads it as its rule test format.
    writeFileSync(file, JSON.stringify({ rule_files: [ALERTS_FILE, join(dir, 'old-rules.yml')], evaluation_interval: '1m', tests: [group] }, null, 1))
    const { status, output } = await promtool(['test', 'rules', file])
    t.equal(status, 0, `${state}: ${firing.length === 0 ? 'no alert fires' : `fires ${firing.map(f => f.alert).join(', ')} and no other`}${status === 0 ? '' : `\n${output}`}`)
    for (const o of old) t.pass(`${state}: the old ${o.alert} ${o.fires ? 'fires' : 'does not fire'}`)
  }
  const gauge = (text: string | undefined, series: string) => text?.split('\n').find(l => l.startsWith(`${series} `))?.split(' ')[1]

  // Two tenants with records, all signed and verified.
  await startWorker()
  for (const tenant of ['acme', 'beta']) {
    t.equal((await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: Array.from({ length: 5 }, () => sampleEvent({ tenant })) } })).statusCode, 202)
  }
  await waitFor(async () => {
    const { bodies } = await scrapeAll()
    return ['acme', 'beta'].every(tenant => gauge(bodies['audit-api'], `audit_events_awaiting_checkpoint{tenant="${tenant}"}`) === '0' &&
      gauge(bodies['audit-api'], `audit_log_size{tenant="${tenant}"}`) === '5' &&
      gauge(bodies['audit-worker'], `audit_verified_log_size{tenant="${tenant}"}`) === '5')
  }, { what: 'both tenants stored, signed and verified' })

  // Idle: nothing arrives, everything is signed, the checkpoints only grow old (over 600 s on
  // promtool's clock). The old checkpoint alert fired here; none fires now.
  await check('idle', await record(13), [], [{ alert: 'OldCheckpointAge', fires: true }])

  // Healthy: events arrive and are stored, signed and verified as they come.
  await check('healthy', await record(12, { tenant: 'acme', everyMs: 100 }), [])

  // The worker stops while events arrive: the queue lag grows. The old lag quantile, computed
  // from the worker's own histogram, has nothing to compute from and never fired.
  await stopWorker()
  await check('worker-stalled', await record(11, { tenant: 'acme', everyMs: 200 }), [{ alert: 'AuditQueueLag' }], [{ alert: 'OldLagQuantile', fires: false }])
  await startWorker()
  await waitForQueueIdle(app.eventQueue, 'the backlog to drain')

  // A worker that stores but neither signs nor verifies any more: its signer's interval is a
  // day, and so is its verifier's, which runs once at start and then stands still as a hung
  // run would. Records of acme wait for a checkpoint; no tenant's log is confirmed again.
  await startWorker({ checkpointIntervalSeconds: 86_400, verifyIntervalSeconds: 86_400 })
  await check('not-signing-nor-verifying', await record(20, { tenant: 'acme', everyMs: 200 }), [
    { alert: 'AuditCheckpointOverdue', tenant: 'acme' },
    { alert: 'AuditVerificationStale', tenant: 'acme' },
    { alert: 'AuditVerificationStale', tenant: 'beta' }
  ])
  await startWorker()
  await waitFor(async () => gauge(await scrapeBody(apiPort), 'audit_events_awaiting_checkpoint{tenant="acme"}') === '0', { what: 'acme signed again' })

  // A worker that cannot reach PostgreSQL: it takes the jobs and retries them; none is stored.
  await startWorker({ databaseUrl: `postgres://postgres@127.0.0.1:${CLOSED_PORT}/nowhere` })
  await check('worker-without-postgres', await record(9, { tenant: 'acme', everyMs: 200 }), [{ alert: 'AuditEventsNotStored' }])
  await startWorker()
  await app.eventQueue.promoteJobs() // the retries' back-off has grown: take them now
  await waitForQueueIdle(app.eventQueue, 'the retried jobs to be stored')

  // A dead letter, and a record of beta rewritten as a database administrator could (the
  // append-only triggers bypassed); the restarted worker verifies from seq 1 and finds it.
  await stopWorker()
  const id = (await db.selectFrom('audit_events').select('id').where('tenant', '=', 'acme').where('seq', '=', 1).executeTakeFirstOrThrow()).id
  await queueConflictingEvent(app, 'acme', id)
  await rewriteRecord(config.databaseUrl, 'beta', 2)
  await startWorker()
  await waitFor(async () => {
    const { bodies } = await scrapeAll()
    return gauge(bodies['audit-api'], 'audit_queue_jobs{state="failed"}') === '1' && gauge(bodies['audit-worker'], 'audit_last_verification_valid{tenant="beta"}') === '0'
  }, { what: 'the dead letter and the failed verification' })
  await check('dead-letter-and-tampering', await record(4), [{ alert: 'AuditDeadLetters' }, { alert: 'AuditVerificationFailed', tenant: 'beta' }])
})
