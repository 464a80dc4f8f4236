import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { compileScrubber } from '../../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../../src/ingest/prepare-event.js'
import { APPEND_JOB_NAME, toJobEvent } from '../../src/queue/append-job.js'
import { JobMac } from '../../src/queue/job-mac.js'
import type { AuditEventInput } from '../../src/schemas/audit-event.js'
import { buildTestApp, countRows, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'

// Whoever can write to Redis could add jobs the worker stores and the log then signs. With
// JOB_HMAC_KEY (shared by API and worker) the API authenticates each job, and the worker
// dead-letters any job whose MAC is missing or wrong.

const KEY = 'job-hmac-key-for-tests-0123456789abcdef'
const queued = (overrides: Record<string, unknown> = {}) => {
  const item = prepareEvent(sampleEvent(overrides) as AuditEventInput, { tenant: 'default', requestId: 'forged', receivedAt: new Date().toISOString(), scrub: compileScrubber() })
  return toJobEvent(item)
}

t.test('with JOB_HMAC_KEY, forged jobs are dead-lettered and stored nowhere; API events are stored', async t => {
  const config = await testConfig(t, { JOB_HMAC_KEY: KEY })
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)

  const sent = await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent() })
  t.equal(sent.statusCode, 202)
  await waitFor(async () => await countRows(db) === 1, { what: 'the API\'s event stored' })

  const unsigned = queued({ action: 'forged.unsigned' })
  const wrong = queued({ action: 'forged.wrong' })
  const otherKey = queued({ action: 'forged.other_key' })
  const jobs = await app.eventQueue.addBulk([
    { name: APPEND_JOB_NAME, data: { events: [unsigned] } },
    { name: APPEND_JOB_NAME, data: { events: [wrong], mac: new JobMac(KEY).of([queued()]) } },
    { name: APPEND_JOB_NAME, data: { events: [otherKey], mac: new JobMac('another-key-of-32-characters-or-more!').of([otherKey]) } }
  ])
  const failed = await waitFor(async () => {
    const list = await app.eventQueue.getFailed(0, -1)
    return list.length === 3 ? list : undefined
  }, { what: 'three dead-lettered jobs' })
  t.same(failed.map(job => job.failedReason), ['job MAC does not match', 'job MAC does not match', 'job MAC does not match'])
  t.same(failed.map(job => job.attemptsMade), [1, 1, 1], 'not retried')
  t.same(new Set(failed.map(job => job.id)), new Set(jobs.map(job => job.id)))
  t.equal(await countRows(db), 1, 'no forged event stored')

  // A job signed with the key is stored (as the API's are); a conflicting event in it is
  // re-queued alone with its own MAC and dead-lettered for its conflict, not for the MAC.
  const fine = queued({ action: 'signed.fine' })
  const stored = await db.selectFrom('audit_events').select('canonical').executeTakeFirstOrThrow()
  const record = JSON.parse(stored.canonical.toString('utf8')) as Record<string, unknown>
  const conflicting = queued({ id: record.id, action: 'signed.conflict' })
  await app.eventQueue.add(APPEND_JOB_NAME, { events: [fine, conflicting], mac: new JobMac(KEY).of([fine, conflicting]) })
  await waitFor(async () => await countRows(db) === 2, { what: 'the signed job stored' })
  const reasons = await waitFor(async () => {
    const list = await app.eventQueue.getFailed(0, -1)
    return list.length === 4 ? list.map(job => job.failedReason) : undefined
  }, { what: 'the conflict dead-lettered' })
  t.equal(reasons.filter(r => r === 'job MAC does not match').length, 3)
  t.ok(reasons.some(r => /conflict|other content|different content/i.test(r)), `conflict reason: ${reasons.join(' | ')}`)
})

t.test('JOB_HMAC_KEY must be at least 32 characters', async t => {
  t.throws(() => loadConfig({ JOB_HMAC_KEY: 'short' }), ConfigError)
  t.throws(() => loadConfig({ JOB_HMAC_KEY: 'short' }), /JOB_HMAC_KEY/)
  t.equal(loadConfig({ JOB_HMAC_KEY: KEY }).jobHmacKey, KEY)
  t.equal(loadConfig({}).jobHmacKey, undefined)
})
