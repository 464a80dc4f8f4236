import { spawn } from 'node:child_process'
import { join } from 'node:path'
import t from 'tap'
import { freePort } from '../faults/free-port.js'
import { ROOT, buildTestApp, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'
import { queueConflictingEvent, rewriteRecord } from './log-faults.js'
import { prometheusPath } from './promtool.js'

interface Alert { labels: Record<string, string>, state: 'pending' | 'firing' }

// A real Prometheus server scrapes the real API and worker every second and evaluates
// docs/alerts.yml: both targets are up, and with a dead letter and a rewritten record the two
// alerts that need no minutes of history show (AuditVerificationFailed firing at once,
// AuditDeadLetters pending for its minute), and no other.
t.test('a real Prometheus scrapes both processes and evaluates docs/alerts.yml', { timeout: 180_000 }, async t => {
  prometheusPath() // fails at once, naming the package, when prometheus is missing
  const [apiPort, workerPort, promPort] = [await freePort(), await freePort(), await freePort()]
  const config = await testConfig(t, { API_METRICS_PORT: String(apiPort), WORKER_METRICS_PORT: String(workerPort), CHECKPOINT_INTERVAL_SECONDS: '1', VERIFY_INTERVAL_SECONDS: '1', METRICS_CACHE_MS: '0' })
  const app = await buildTestApp(t, config)
  await app.ready()
  const db = openDatabase(t, config.databaseUrl)
  const writer = await startTestWorker(t, config)
  t.equal((await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: [sampleEvent({ tenant: 'acme' }), sampleEvent({ tenant: 'acme' })] } })).statusCode, 202)
  await waitFor(() => db.selectFrom('checkpoints').select('size').where('tenant', '=', 'acme').where('size', '=', 2).executeTakeFirst(), { what: 'acme signed' })
  await writer.close()
  const id = (await db.selectFrom('audit_events').select('id').where('tenant', '=', 'acme').where('seq', '=', 1).executeTakeFirstOrThrow()).id
  await queueConflictingEvent(app, 'acme', id)
  await rewriteRecord(config.databaseUrl, 'acme', 2)
  await startTestWorker(t, config)

  const dir = t.testdir({
    'prometheus.yml': `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [${JSON.stringify(join(ROOT, 'docs', 'alerts.yml'))}]
scrape_configs:
  - job_name: audit-api
    static_configs: [{ targets: ['127.0.0.1:${apiPort}'] }]
  - job_name: audit-worker
    static_configs: [{ targets: ['127.0.0.1:${workerPort}'] }]
`
  })
  const server = spawn(prometheusPath(), [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  server.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = new Promise(resolve => server.once('exit', resolve))
  t.teardown(async () => { server.kill('SIGTERM'); await exited })
  const api = async (path: string) => {
    try {
      const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/${path}`)
      return res.ok ? (await res.json() as { data: unknown }).data : undefined
    } catch {
      if (server.exitCode !== null) throw new Error(`prometheus exited (${server.exitCode}): ${stderr}`)
      return undefined
    }
  }

  const targets = await waitFor(async () => {
    const data = await api('targets') as { activeTargets: Array<{ labels: { job: string }, health: string, lastError: string }> } | undefined
    return data !== undefined && data.activeTargets.length === 2 && data.activeTargets.every(a => a.health === 'up') ? data.activeTargets : undefined
  }, { what: 'both targets up', timeoutMs: 60_000 })
  t.same(targets.map(a => a.labels.job).sort(), ['audit-api', 'audit-worker'])
  t.same(targets.map(a => a.lastError), ['', ''], 'both scrapes parse')

  const alerts = await waitFor(async () => {
    const data = await api('alerts') as { alerts: Alert[] } | undefined
    const byName = new Map(data?.alerts.map(a => [a.labels.alertname, a]))
    return byName.get('AuditVerificationFailed')?.state === 'firing' && byName.get('AuditDeadLetters') !== undefined ? data!.alerts : undefined
  }, { what: 'the alerts in Prometheus', timeoutMs: 60_000 })
  t.same(alerts.map(a => [a.labels.alertname, a.labels.tenant, a.state]).sort(), [
    ['AuditDeadLetters', undefined, 'pending'],
    ['AuditVerificationFailed', 'acme', 'firing']
  ], 'these two and no other (AuditDeadLetters waits its minute)')

  const lag = await api(`query?query=${encodeURIComponent('audit_queue_lag_seconds')}`) as { result: Array<{ metric: Record<string, string> }> }
  t.equal(lag.result[0]?.metric.job, 'audit-api', 'the queue lag is scraped from the API')
})
