import t from 'tap'
import type { Worker } from 'node:worker_threads'
import { logOrigin } from '../../src/core/checkpoint/index.js'
import { ReadThreadPool, startReadThread } from '../../src/verification/read-thread-pool.js'
import { buildTestApp, holdWholeLogReads, testConfig, waitFor } from '../helper.js'

// A read is held in a thread by a lock on the checkpoints table (each read takes it early),
// then its thread is stopped from outside: the read fails with a 503 at once and the next
// read gets a fresh thread.
t.test('a read thread that dies fails its read with a 503 and is replaced', async (t) => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)

  const threads: Worker[] = []
  const pool = new ReadThreadPool({
    size: 1,
    connectionString: config.databaseUrl,
    poolMax: 1,
    connectionTimeoutMillis: 5000,
    startThread: data => {
      const worker = startReadThread(data)
      threads.push(worker)
      return worker
    }
  })
  t.teardown(() => pool.close())
  const job = { tenant: 'alpha', origin: logOrigin(config.logOrigin, 'alpha'), verifierKeys: app.logKeys.keys.verifierKeysFor('alpha') }

  const { waiting, release } = await holdWholeLogReads(t, config.databaseUrl)
  const readWaiting = () => waiting(1)

  const verify = pool.verify(job)
  verify.catch(() => {})
  await waitFor(readWaiting, { what: 'the verify to wait on the lock in its thread' })
  await threads[0]!.terminate()
  await t.rejects(verify, { code: 'AUDIT_ERR_READ_THREAD_FAILED', statusCode: 503 }, 'the verify fails with a clear 503, not a hang')
  t.equal(pool.threads, 0, 'the dead thread left the pool')

  const stream = pool.export(job)
  const first = await new Promise<Buffer>((resolve, reject) => { stream.once('data', resolve); stream.once('error', reject) })
  t.match(first.toString('utf8'), /^\{"type":"header"/, 'the export sends its header from a fresh thread')
  t.equal(threads.length, 2, 'a new thread was started')
  const failed = new Promise<Error>(resolve => { stream.once('error', resolve) })
  stream.resume()
  await waitFor(readWaiting, { what: 'the export to wait on the lock in its thread' })
  await threads[1]!.terminate()
  t.match(await failed, { code: 'AUDIT_ERR_READ_THREAD_FAILED', statusCode: 503 }, 'the export stream fails (the client sees a file without its end trailer)')

  await release()
  t.match(await pool.verify(job), { valid: true, first_error: null }, 'the next read runs on a replacement thread')
  t.equal(threads.length, 3)
})
