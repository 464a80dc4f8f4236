import { randomUUID } from 'node:crypto'
import t from 'tap'
import { freePort } from '../faults/free-port.js'
import { CLOSED_PORT, buildTestApp, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor, waitForQueueIdle } from '../helper.js'
import { queueConflictingEvent } from './log-faults.js'

const scrape = async (port: number) => await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
const value = (text: string, series: string) => {
  const line = text.split('\n').find(l => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

t.test('accepted (client and own-access events) adds up to stored; a dead letter retried twice is counted once', async t => {
  const [apiPort, workerPort] = [await freePort(), await freePort()]
  const config = await testConfig(t, { API_METRICS_PORT: String(apiPort), WORKER_METRICS_PORT: String(workerPort), METRICS_CACHE_MS: '0', VERIFY_INTERVAL_SECONDS: '0' })
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  await app.ready()

  const id = randomUUID()
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ id }) })).statusCode, 202)
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ id }) })).statusCode, 202, 'a duplicate: not accepted again')
  t.equal((await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: [sampleEvent(), sampleEvent()] } })).statusCode, 202)
  await waitForQueueIdle(app.eventQueue)
  // Two own-access events: a verification and an export each append one to the log.
  t.equal((await app.inject({ method: 'GET', url: '/verify' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/audit-events/export' })).statusCode, 200)
  await waitForQueueIdle(app.eventQueue)
  const stored = Number((await db.selectFrom('audit_events').select(eb => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n)
  t.equal(stored, 5, 'three client events and two of the service')

  const api = await scrape(apiPort)
  const worker = await waitFor(async () => { const text = await scrape(workerPort); return value(text, 'audit_events_stored_total') === 5 ? text : undefined }, { what: 'stored_total 5' })
  t.equal(value(api, 'audit_events_accepted_total{source="client"}'), 3)
  t.equal(value(api, 'audit_events_accepted_total{source="service"}'), 2)
  t.equal(value(api, 'audit_events_duplicate_total'), 1)
  t.equal(value(worker, 'audit_events_stored_total'), 5, 'stored = accepted, client and service together')

  // The dead letter: counted when it fails for good, and not again when an operator retries
  // it and it fails the same way (it used to count once per failure: 3 here).
  const jobId = await queueConflictingEvent(app, 'default', id)
  const failedAgain = async (attempts: number) => await waitFor(async () => {
    const job = await app.eventQueue.getJob(jobId)
    return job !== undefined && job.attemptsMade === attempts && await job.isFailed()
  }, { what: `dead letter after ${attempts} attempts` })
  await failedAgain(1)
  await waitFor(async () => value(await scrape(workerPort), 'audit_events_dead_lettered_total') === 1, { what: 'dead_lettered_total 1' })
  for (const attempts of [2, 3]) {
    t.equal((await app.inject({ method: 'POST', url: `/dead-letters/${jobId}/retry` })).statusCode, 202)
    await failedAgain(attempts)
  }
  // Each failure also counts as a failed attempt; wait for the third, which comes from the same
  // 'failed' listener, before reading the dead-letter counter.
  const last = await waitFor(async () => { const text = await scrape(workerPort); return value(text, 'audit_jobs_failed_attempts_total') === 3 ? text : undefined }, { what: 'three failed attempts' })
  t.equal(value(last, 'audit_events_dead_lettered_total'), 1, 'one job, one event: counted once')
})

t.test('a job that uses up its attempts is a dead letter too: its events are counted once', async t => {
  const workerPort = await freePort()
  const config = await testConfig(t, { WORKER_METRICS_PORT: String(workerPort), JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '1', VERIFY_INTERVAL_SECONDS: '0' })
  const app = await buildTestApp(t, config)
  // A worker that cannot reach PostgreSQL: every attempt fails, and is retried until none is left.
  await startTestWorker(t, { ...config, databaseUrl: `postgres://postgres@127.0.0.1:${CLOSED_PORT}/nowhere` })
  t.equal((await app.inject({ method: 'POST', url: '/audit-events/batch', payload: { events: [sampleEvent(), sampleEvent(), sampleEvent()] } })).statusCode, 202)
  await waitFor(async () => (await app.eventQueue.getJobCounts('failed')).failed === 1, { what: 'the job dead-lettered' })
  const text = await waitFor(async () => { const body = await scrape(workerPort); return value(body, 'audit_events_dead_lettered_total') !== 0 ? body : undefined }, { what: 'the dead letter counted' })
  t.equal(value(text, 'audit_events_dead_lettered_total'), 3, 'the three events of the job')
  t.equal(value(text, 'audit_jobs_failed_attempts_total'), 2, 'after two failed attempts')
})
