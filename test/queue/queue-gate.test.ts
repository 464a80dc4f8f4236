import t from 'tap'
import { NotFoundError } from '../../src/errors.js'
import { QueueGate } from '../../src/queue/queue-gate.js'

// The gate's decisions over a connection's status alone; the real Redis cases (down, killed,
// frozen, back) are in test/routes/redis-away.test.ts.

const connection = (status: string) => ({ status, ping: async () => 'PONG' as const })
const UNAVAILABLE = { code: 'AUDIT_ERR_QUEUE_UNAVAILABLE', statusCode: 503 }
const never = () => new Promise<never>(() => {})

t.test('refuses at once while the connection is not ready, without running the step', async t => {
  for (const status of ['wait', 'connecting', 'reconnecting', 'close', 'end']) {
    const gate = new QueueGate({ redis: connection(status), deadlineMs: 60_000 })
    let ran = false
    await t.rejects(gate.run(async () => { ran = true }, 'nothing done'), { code: 'AUDIT_ERR_QUEUE_UNAVAILABLE', message: `queue unavailable, nothing done: the Redis connection is ${status}` })
    t.notOk(ran, `${status}: the step did not run`)
    t.throws(() => gate.check('nothing done'), UNAVAILABLE)
  }
})

t.test('a step that outlives the deadline is refused at the deadline', async t => {
  const gate = new QueueGate({ redis: connection('ready'), deadlineMs: 50 })
  const started = performance.now()
  await t.rejects(gate.run(never, 'dead letters not read'), { code: 'AUDIT_ERR_QUEUE_UNAVAILABLE', message: /dead letters not read: Redis did not answer within 50 ms/ })
  t.ok(performance.now() - started < 1000, 'answered at about the deadline')
})

t.test('a connection lost under a step is a 503; other failures stay what they are', async t => {
  const redis = connection('ready')
  const gate = new QueueGate({ redis, deadlineMs: 1000 })
  const maxRetries = Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' })
  await t.rejects(gate.run(() => Promise.reject(maxRetries), 'x'), UNAVAILABLE)
  await t.rejects(gate.run(() => Promise.reject(new Error('Connection is closed.')), 'x'), UNAVAILABLE)
  await t.rejects(gate.run(() => Promise.reject(new NotFoundError('no dead letter 7')), 'x'), { code: 'AUDIT_ERR_NOT_FOUND' }, 'a 404 of the route passes through')
  const bug = new TypeError('a fault of the service')
  await t.rejects(gate.run(() => Promise.reject(bug), 'x'), bug, 'on a working connection, a fault stays a fault (500)')
  const failing = gate.run(async () => { redis.status = 'reconnecting'; throw new Error('ECONNRESET') }, 'x')
  await t.rejects(failing, UNAVAILABLE, 'any failure while the connection went is a 503')
  t.equal(await new QueueGate({ redis: connection('ready'), deadlineMs: 1000 }).run(async () => 42, 'x'), 42)
})

t.test('probe asks Redis for a PING within the deadline', async t => {
  await new QueueGate({ redis: connection('ready'), deadlineMs: 1000 }).probe('x')
  const frozen = { status: 'ready', ping: never }
  await t.rejects(new QueueGate({ redis: frozen, deadlineMs: 50 }).probe('audit.verify cannot be recorded'), { message: /audit.verify cannot be recorded: Redis did not answer within 50 ms/ })
})
