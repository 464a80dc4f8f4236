import t from 'tap'
import { canonicalJson } from '../../src/core/json/index.js'
import { compileScrubber } from '../../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../../src/ingest/prepare-event.js'
import { APPEND_JOB_NAME, toJobEvent } from '../../src/queue/append-job.js'
import type { AuditEventInput } from '../../src/schemas/audit-event.js'
import { buildTestApp, countRows, openDatabase, recordOf, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'

// Jobs carry each record's canonical text (the worker splices `seq` in). Jobs written by an
// earlier version carry the record as an object; both may be in the queue during an upgrade,
// and both must be stored as the same bytes.

const prepare = (action: string) => prepareEvent(sampleEvent({ action }) as AuditEventInput,
  { tenant: 'default', requestId: `r-${action}`, receivedAt: new Date().toISOString(), scrub: compileScrubber() })

t.test('canonical-text jobs and record jobs of earlier versions are stored alike', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const items = ['format.text', 'format.record', 'format.text_without_seq_at'].map(prepare)
  const [text, legacy, noSeqAt] = items
  const { seqAt: _seqAt, ...withoutSeqAt } = toJobEvent(noSeqAt!)
  await app.eventQueue.addBulk([
    { name: APPEND_JOB_NAME, data: { events: [toJobEvent(text!)] } },
    { name: APPEND_JOB_NAME, data: { events: [{ record: recordOf(legacy!), digest: legacy!.digest }] } },
    { name: APPEND_JOB_NAME, data: { events: [withoutSeqAt] } }
  ])
  await startTestWorker(t, config)
  await waitFor(async () => await countRows(db) === 3, { what: 'three rows' })
  const rows = await db.selectFrom('audit_events').select(['seq', 'id', 'canonical']).orderBy('seq').execute()
  for (const row of rows) {
    const item = items.find(i => i.id === row.id)!
    t.equal(row.canonical.toString('utf8'), canonicalJson({ ...recordOf(item), seq: Number(row.seq) }), `${recordOf(item).action as string}: the record at its seq, canonical`)
  }
})

t.test('a job whose text is not JSON is dead-lettered with the reason', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  await app.eventQueue.add(APPEND_JOB_NAME, { events: [{ canonical: '{"id":', digest: '00' }] })
  const failed = await waitFor(async () => (await app.eventQueue.getFailed())[0], { what: 'the dead letter' })
  t.match(failed.failedReason, /cannot be read/)
  const list = await app.inject({ method: 'GET', url: '/dead-letters' })
  t.equal(list.statusCode, 200)
  t.same(list.json().items[0].events, [{ id: '', tenant: '', action: '' }], 'listed without what it cannot read')
})
