import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import t from 'tap'
import { buildTestApp, countRows, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'
import { freePort } from '../faults/free-port.js'

// docker-compose.yml runs Redis with requirepass and gives the service
// REDIS_URL=redis://:<password>@redis:6379: the API, the worker and the key announcements all
// authenticate, and a client without the password gets nothing.
t.test('the service works against a password-protected Redis given as redis://:password@host', async t => {
  // Characters a generated password may hold, percent-encoded in the URL.
  const password = 'p@ss:w/rd %s3cret'
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'audit-redis-auth-'))
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--requirepass', password], { stdio: 'ignore' })
  t.teardown(async () => {
    if (server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM')
      await once(server, 'exit')
    }
    rmSync(dir, { recursive: true, force: true })
  })
  const redisUrl = `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  await waitFor(async () => { try { await probe.connect(); return await probe.ping() === 'PONG' } catch { probe.disconnect(); return false } }, { what: 'redis-server with requirepass' })
  t.teardown(() => probe.disconnect())

  const anonymous = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 0, retryStrategy: () => null })
  anonymous.on('error', () => {})
  t.teardown(() => anonymous.disconnect())
  await t.rejects(anonymous.get('anything'), { message: /NOAUTH/ }, 'no password, no access')

  const config = await testConfig(t, { REDIS_URL: redisUrl })
  const app = await buildTestApp(t, config)
  await startTestWorker(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const res = await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent() })
  t.equal(res.statusCode, 202, res.body)
  await waitFor(async () => await countRows(db) === 1, { what: 'the event stored through the authenticated queue' })
  t.ok(await probe.exists(`${config.queuePrefix}:${config.queueName}:meta`), 'the queue lives in the protected Redis')

  // A wrong password is a clear 503, not a hang.
  const wrong = await buildTestApp(t, await testConfig(t, { DATABASE_URL: config.databaseUrl, REDIS_URL: `redis://:wrong@127.0.0.1:${port}` }))
  const refused = await wrong.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent() })
  t.equal(refused.statusCode, 503, refused.body)
})
