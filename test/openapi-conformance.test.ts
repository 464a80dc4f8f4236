import t from 'tap'
import { isDeepStrictEqual } from 'node:util'
import { Ajv2020 } from 'ajv/dist/2020.js'
import * as ajvFormats from 'ajv-formats'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../src/app.js'
import { ERROR_CODES, FASTIFY_ERROR_CODES } from '../src/errors.js'
import { compileScrubber } from '../src/ingest/scrub-secrets.js'
import { prepareEvent } from '../src/ingest/prepare-event.js'
import { APPEND_JOB_NAME, toJobEvent } from '../src/queue/append-job.js'
import type { AuditEventInput } from '../src/schemas/audit-event.js'
import { ADMIN_AUTH, CLOSED_PORT, sampleEvent, startTestWorker, testConfig, waitFor } from './helper.js'

// Every operation of the OpenAPI document is driven through its error paths against real
// apps (PostgreSQL and Redis; one app with Redis unreachable; one with a rate limit of 1),
// and every answer is checked against the document: status declared, content type declared,
// body valid against the declared schema, required headers present, and no header of the
// contract sent where the document does not declare it. An operation of the document that no
// request reaches fails the test, and so does a declared status no request produced, unless
// it is listed below with the reason it is not driven.

type Obj = Record<string, any>
const addFormats = ajvFormats.default as unknown as (ajv: Ajv2020) => Ajv2020

const ANSWER_WITHIN_MS = 10_000

/** Declared statuses this test does not produce, and why. */
const NOT_DRIVEN: Record<string, string> = {
  500: 'a fault of the service: no request can cause it on purpose'
}
const notDriven = (op: string, status: string) => NOT_DRIVEN[status] !== undefined || NOT_DRIVEN[`${op} ${status}`] !== undefined
/** The codes of a declared error response's examples. */
const exampleCodes = (media: Obj | undefined): string[] => media === undefined
  ? []
  : (media.example !== undefined ? [media.example] : Object.values(media.examples ?? {}).map(e => (e as Obj).value)).map(e => (e as Obj).code)
// An instance that is closing refuses keyed requests with a 503 of its own: sent only then, so
// test/shutdown-answers.test.ts drives it on a real closing server instead.
const ONLY_WHILE_CLOSING = 'AUDIT_ERR_SHUTTING_DOWN'

/** Headers that are part of the contract: sent only where the document declares them. */
const CONTRACT_HEADERS = ['retry-after', 'www-authenticate', 'content-disposition', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-request-id']
const METRICS_TOKEN = 'scrape-token-0123456789abcdef'
const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

interface Operation { id: string, method: string, path: string, op: Obj }

t.test('every operation answers only what the OpenAPI document declares', async t => {
  // Checkpoints only when asked, so an event stays uncovered (409) until the test signs one.
  const env = { BODY_LIMIT_BYTES: '1024', BATCH_BODY_LIMIT_BYTES: '1024', METRICS_TOKEN, HEALTH_TIMEOUT_MS: '1000', CHECKPOINT_INTERVAL_SECONDS: '86400' }
  const config = await testConfig(t, env)
  const app = await buildApp({ config })
  t.teardown(() => app.close())
  await app.ready()
  // Same database; its own Redis prefix (its counters start at 0), one request per window.
  const limited = await buildApp({ config: await testConfig(t, { ...env, DATABASE_URL: config.databaseUrl, RATE_LIMIT_MAX: '1' }) })
  t.teardown(() => limited.close())
  const down = await buildApp({ config: await testConfig(t, { ...env, DATABASE_URL: config.databaseUrl, REDIS_URL: `redis://127.0.0.1:${CLOSED_PORT}` }) })
  t.teardown(() => down.close())
  await startTestWorker(t, config)

  const doc = app.swagger() as Obj
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  ajv.addSchema(doc as object, 'openapi.json')
  const operations: Operation[] = []
  for (const [path, item] of Object.entries(doc.paths as Obj)) {
    for (const [method, op] of Object.entries(item as Obj)) operations.push({ id: op.operationId, method: method.toUpperCase(), path, op })
  }
  const byId = new Map(operations.map(o => [o.id, o]))
  const observed = new Map<string, Obj[]>() // "operationId status" -> bodies
  const pointer = (...parts: string[]) => parts.map(p => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')
  const resolve = (node: Obj): Obj => typeof node.$ref === 'string' ? (node.$ref as string).slice(2).split('/').reduce((o: Obj, k) => o[k.replaceAll('~1', '/').replaceAll('~0', '~')], doc) : node
  /** The JSON media type an operation declares for a status. */
  const resolveMedia = (o: { op: Obj }, status: string): Obj | undefined => {
    const declared = (o.op.responses as Obj)[status]
    return declared === undefined ? undefined : resolve(declared).content?.['application/json'] as Obj | undefined
  }
  const onlyWhileClosing = (o: { op: Obj }, status: string): boolean => {
    const codes = exampleCodes(resolveMedia(o, status))
    return codes.length > 0 && codes.every(code => code === ONLY_WHILE_CLOSING)
  }

  /** Sends a request to an operation and checks the answer against the document. */
  const call = async (target: FastifyInstance, id: string, opts: { params?: Record<string, string>, query?: string, headers?: Record<string, string>, payload?: InjectOptions['payload'] } = {}): Promise<LightMyRequestResponse | undefined> => {
    const operation = byId.get(id)
    if (operation === undefined) throw new Error(`no operation ${id} in the document`)
    const url = operation.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(opts.params?.[name] ?? 'missing')) + (opts.query === undefined ? '' : `?${opts.query}`)
    const res = await Promise.race([
      target.inject({ method: operation.method as InjectOptions['method'], url, headers: opts.headers ?? {}, ...(opts.payload !== undefined && { payload: opts.payload }) }),
      new Promise<undefined>(resolve => setTimeout(() => { resolve(undefined) }, ANSWER_WITHIN_MS).unref())
    ])
    if (res === undefined) {
      t.fail(`${operation.method} ${url}: no answer within ${ANSWER_WITHIN_MS} ms`)
      return undefined
    }
    const status = String(res.statusCode)
    const where = `${id} ${operation.method} ${url} -> ${status}`
    const responses = operation.op.responses as Obj
    const declared = responses[status] ?? responses.default
    if (declared === undefined) {
      t.fail(`${where}: status not declared (${Object.keys(responses).join(', ')}); body ${res.body.slice(0, 300)}`)
      return res
    }
    const response = resolve(declared)
    const key = `${id} ${status}`
    const mediaType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim()
    const content = (response.content ?? {}) as Obj
    if (res.body.length > 0 || Object.keys(content).length > 0) {
      if (content[mediaType] === undefined) {
        t.fail(`${where}: content type ${mediaType} not declared (${Object.keys(content).join(', ')})`)
      } else {
        const validate = ajv.getSchema(`openapi.json#/${pointer('paths', operation.path, operation.method.toLowerCase(), 'responses', responses[status] === undefined ? 'default' : status, 'content', mediaType, 'schema')}`)!
        const body: unknown = mediaType === 'application/json' ? res.json() : res.body
        if (!validate(body)) t.fail(`${where}: body does not match its schema: ${ajv.errorsText(validate.errors)}; body ${res.body.slice(0, 300)}`)
        if (mediaType === 'application/json' && res.statusCode >= 400) observed.set(key, [...observed.get(key) ?? [], body as Obj])
        else observed.set(key, observed.get(key) ?? [])
      }
    } else {
      // An answer with no body where none is declared (a 304).
      observed.set(key, observed.get(key) ?? [])
    }
    const headers = Object.fromEntries(Object.entries((response.headers ?? {}) as Obj).map(([name, h]) => [name.toLowerCase(), resolve(h as Obj)]))
    for (const [name, h] of Object.entries(headers)) {
      if (h.required === true && res.headers[name] === undefined) t.fail(`${where}: required header ${name} missing`)
    }
    for (const name of CONTRACT_HEADERS) {
      if (res.headers[name] !== undefined && headers[name] === undefined) t.fail(`${where}: header ${name} sent but not declared`)
    }
    return res
  }

  // Keys lacking a scope, for the 403s.
  const keyWith = async (scopes: string[]) => (await call(app, 'createApiKey', { headers: ADMIN_AUTH, payload: { tenant: 'default', name: scopes.join('+'), scopes } }))!.json().key as string
  const writer = await keyWith(['events:write'])
  const reader = await keyWith(['events:read'])

  // The happy paths, which also give the error paths real ids.
  const accepted = await call(app, 'createAuditEvent', { headers: ADMIN_AUTH, payload: sampleEvent() })
  t.equal(accepted?.statusCode, 202)
  const eventId = accepted!.json().id as string
  t.equal((await call(app, 'createAuditEventBatch', { headers: ADMIN_AUTH, payload: { events: [sampleEvent({ action: 'user.logout' })] } }))?.statusCode, 202)
  // The keys made above appended events of their own: wait for this one, not for a count.
  await waitFor(async () => (await app.inject({ method: 'GET', url: `/audit-events/${eventId}`, headers: ADMIN_AUTH })).statusCode === 200, { what: 'the event stored', timeoutMs: 60_000 })
  t.equal((await call(app, 'signCheckpoint', { headers: ADMIN_AUTH }))?.statusCode, 201)
  await call(app, 'listAuditEvents', { headers: ADMIN_AUTH })
  await call(app, 'getAuditEvent', { headers: ADMIN_AUTH, params: { id: eventId } })
  await call(app, 'getLatestCheckpoint', { headers: ADMIN_AUTH })
  await call(app, 'getLatestCheckpoint', { headers: ADMIN_AUTH, query: 'format=json' })
  await call(app, 'listCheckpoints', { headers: ADMIN_AUTH })
  const proof = await call(app, 'getInclusionProof', { headers: ADMIN_AUTH, params: { id: eventId } })
  t.equal(proof?.statusCode, 200, 'the checkpoint covers the event')
  await call(app, 'getInclusionProof', { headers: ADMIN_AUTH, params: { id: eventId }, query: 'format=tlog-proof' })
  // Each form chosen by Accept, and an Accept that allows neither (406).
  await call(app, 'getInclusionProof', { headers: { ...ADMIN_AUTH, accept: 'text/plain' }, params: { id: eventId } })
  await call(app, 'getInclusionProof', { headers: { ...ADMIN_AUTH, accept: 'application/xml' }, params: { id: eventId } })
  await call(app, 'getLatestCheckpoint', { headers: { ...ADMIN_AUTH, accept: 'application/json' } })
  await call(app, 'getLatestCheckpoint', { headers: { ...ADMIN_AUTH, accept: 'application/xml' } })
  await call(app, 'getConsistencyProof', { headers: ADMIN_AUTH, query: 'from=1' })
  await call(app, 'verifyLog', { headers: ADMIN_AUTH })
  await call(app, 'exportAuditLog', { headers: ADMIN_AUTH })
  await call(app, 'getVerifierKeys')
  // The log as C2SP tlog-tiles: the checkpoint covers the events above, fewer than 256.
  await call(app, 'getLogCheckpoint', { headers: ADMIN_AUTH, params: { tenant: 'default' } })
  for (const id of ['getLogHashTile', 'getLogEntryBundle']) {
    // N as a client built from the document sends it: its slash percent-encoded.
    const tile = { tenant: 'default', L: '0', N: '000.p/1' }
    const first = await call(app, id, { headers: ADMIN_AUTH, params: tile })
    t.equal(first?.statusCode, 200, `${id}: the first tile`)
    t.equal((await call(app, id, { headers: { ...ADMIN_AUTH, 'if-none-match': String(first!.headers.etag) }, params: tile }))?.statusCode, 304, `${id}: not modified`)
    await call(app, id, { headers: ADMIN_AUTH, params: { ...tile, N: '000' } })
    await call(app, id, { headers: ADMIN_AUTH, params: { ...tile, N: '000.p/0' } })
  }
  await call(app, 'getReadiness')
  await call(app, 'getLiveness')
  await call(app, 'getMetrics', { headers: bearer(METRICS_TOKEN) })
  await call(app, 'listApiKeys', { headers: ADMIN_AUTH })
  const spare = (await call(app, 'createApiKey', { headers: ADMIN_AUTH, payload: { name: 'spare', scopes: ['events:read'] } }))!.json().info.id as string
  await call(app, 'revokeApiKey', { headers: ADMIN_AUTH, params: { id: spare }, payload: { reason: 'rotated' } })
  // A conflicting rewrite that reaches the queue past the API fails for good: a dead letter.
  const rewrite = prepareEvent(sampleEvent({ id: eventId, outcome: 'failure' }) as AuditEventInput, { tenant: 'default', requestId: 'r', receivedAt: new Date().toISOString(), scrub: compileScrubber() })
  const job = await app.eventQueue.add(APPEND_JOB_NAME, { events: [toJobEvent(rewrite)] })
  const failed = async () => (await app.eventQueue.getJob(job.id!))?.isFailed()
  await waitFor(failed, { what: 'a dead letter', timeoutMs: 60_000 })
  await call(app, 'listDeadLetters', { headers: ADMIN_AUTH })
  await call(app, 'retryDeadLetter', { headers: ADMIN_AUTH, params: { job_id: job.id! } })
  await waitFor(failed, { what: 'the dead letter failed again', timeoutMs: 60_000 })
  await call(app, 'retryAllDeadLetters', { headers: ADMIN_AUTH })
  await waitFor(failed, { what: 'the dead letter failed once more', timeoutMs: 60_000 })
  await call(app, 'discardDeadLetter', { headers: ADMIN_AUTH, params: { job_id: job.id! }, payload: { reason: 'a rewrite of a stored id' } })

  // Errors particular to an operation.
  const unknownId = '01a21a5e-0000-7000-8000-000000000000'
  await call(app, 'getAuditEvent', { headers: ADMIN_AUTH, params: { id: unknownId } })
  await call(app, 'getInclusionProof', { headers: ADMIN_AUTH, params: { id: unknownId } })
  await call(app, 'getInclusionProof', { headers: ADMIN_AUTH, params: { id: eventId }, query: 'tree_size=99' })
  await call(app, 'getConsistencyProof', { headers: ADMIN_AUTH, query: 'from=1&to=99' })
  await call(app, 'getConsistencyProof', { headers: ADMIN_AUTH, query: 'from=1&tenant=empty' })
  await call(app, 'getLatestCheckpoint', { headers: ADMIN_AUTH, query: 'tenant=empty' })
  await call(app, 'getLogCheckpoint', { headers: ADMIN_AUTH, params: { tenant: 'empty' } })
  await call(app, 'getLogCheckpoint', { headers: ADMIN_AUTH, params: { tenant: '-bad' } })
  // A record over what an entry carries, as an older version could store it.
  const legacy = Buffer.from(JSON.stringify({ pad: 'x'.repeat(70_000) }))
  const zeros = Buffer.alloc(32)
  const at = '2026-11-26T12:00:00Z'
  await app.db.insertInto('audit_events').values({ tenant: 'legacy', seq: 1, id: '01a21a5e-0000-7000-8000-000000000001', prev_hash: zeros, hash: zeros, canonical: legacy, record: legacy.toString(), content_digest: zeros, tree_nodes: zeros, occurred_at: at, received_at: at, action: 'user.login', actor_type: 'user', actor_id: 'u_1' }).execute()
  await app.db.insertInto('checkpoints').values({ tenant: 'legacy', size: 1, root_hash: Buffer.alloc(32), note: 'legacy' }).execute()
  await call(app, 'getLogEntryBundle', { headers: ADMIN_AUTH, params: { tenant: 'legacy', N: '000.p/1' } })
  await call(app, 'listCheckpoints', { headers: ADMIN_AUTH, query: 'size=99' })
  await call(app, 'signCheckpoint', { headers: ADMIN_AUTH, query: 'tenant=empty' })
  await call(app, 'revokeApiKey', { headers: ADMIN_AUTH, params: { id: unknownId }, payload: { reason: 'x' } })
  await call(app, 'retryDeadLetter', { headers: ADMIN_AUTH, params: { job_id: 'nope' } })
  await call(app, 'discardDeadLetter', { headers: ADMIN_AUTH, params: { job_id: 'nope' }, payload: { reason: 'x' } })
  await call(app, 'createAuditEvent', { headers: ADMIN_AUTH, payload: sampleEvent({ id: eventId, action: 'user.other' }) })
  await call(app, 'createAuditEventBatch', { headers: ADMIN_AUTH, payload: { events: [sampleEvent({ id: eventId, action: 'user.other' })] } })
  await call(app, 'createAuditEvent', { headers: ADMIN_AUTH, payload: sampleEvent({ metadata: { note: 'x'.repeat(900) } }) })
  await call(app, 'getMetrics')
  // An event stored after the checkpoint has no proof yet (409).
  const late = (await call(app, 'createAuditEvent', { headers: ADMIN_AUTH, payload: sampleEvent({ action: 'user.late' }) }))!.json().id as string
  await waitFor(async () => (await app.inject({ method: 'GET', url: `/audit-events/${late}`, headers: ADMIN_AUTH })).statusCode === 200, { what: 'the late event stored', timeoutMs: 60_000 })
  await call(app, 'getInclusionProof', { headers: ADMIN_AUTH, params: { id: late } })

  // The error paths every operation has by what it is, found from the document itself.
  const downCalls: Array<Promise<unknown>> = []
  const spareForDown = (await call(app, 'createApiKey', { headers: ADMIN_AUTH, payload: { name: 'spare for down', scopes: ['events:read'] } }))!.json().info.id as string
  const params = (o: Operation) => Object.fromEntries(((o.op.parameters ?? []) as Obj[]).filter(p => p.in === 'path').map(p => [p.name as string, p.name === 'id' ? eventId : 'nope']))
  const validBody = (o: Operation): Obj | undefined => {
    const media = o.op.requestBody?.content?.['application/json'] as Obj | undefined
    return media === undefined ? undefined : media.example ?? Object.values(media.examples ?? {}).map(e => (e as Obj).value)[0] ?? {}
  }
  for (const o of operations) {
    const keyed = Array.isArray(o.op.security) ? o.op.security.length > 0 : true
    const p = params(o)
    const body = validBody(o)
    const hasBody = o.method === 'POST'
    if (keyed) {
      await call(app, o.id, { params: p, ...(body !== undefined && { payload: body }) })
      await call(app, o.id, { params: p, headers: bearer('ask_not-a-key'), ...(body !== undefined && { payload: body }) })
      // One of the two lacks the operation's scope (both lack admin).
      await call(app, o.id, { params: p, headers: bearer(reader), ...(body !== undefined && { payload: body }) })
      await call(app, o.id, { params: p, headers: bearer(writer), ...(body !== undefined && { payload: body }) })
      // The same key again, now over its limit of one request.
      await call(limited, o.id, { params: p, headers: ADMIN_AUTH, ...(body !== undefined && { payload: body }) })
      await call(limited, o.id, { params: p, headers: ADMIN_AUTH, ...(body !== undefined && { payload: body }) })
    }
    const auth = keyed ? ADMIN_AUTH : {}
    if (((o.op.parameters ?? []) as Obj[]).some(q => q.in === 'query')) await call(app, o.id, { params: p, headers: auth, query: 'unexpected=1' })
    if (body !== undefined) await call(app, o.id, { params: p, headers: auth, payload: {} })
    if (hasBody) {
      await call(app, o.id, { params: p, headers: { ...auth, 'content-type': 'application/json' }, payload: '{' })
      await call(app, o.id, { params: p, headers: { ...auth, 'content-type': 'text/plain' }, payload: 'x' })
      await call(app, o.id, { params: p, headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ pad: 'x'.repeat(2048) }) })
    }
    // Redis unreachable: every operation that declares a 503 is asked, with a valid request.
    // All at once: some wait for Redis's deadline (a verification runs first, then finds it down).
    if ((o.op.responses as Obj)['503'] !== undefined && !onlyWhileClosing(o, '503')) downCalls.push(call(down, o.id, { params: o.id === 'revokeApiKey' ? { id: spareForDown } : p, headers: auth, ...(body !== undefined && { payload: body }) }))
  }
  await Promise.all(downCalls)

  for (const o of operations) {
    const seen = [...observed.keys()].filter(k => k.startsWith(`${o.id} `))
    t.ok(seen.length > 0, `${o.id} is exercised`)
    for (const status of Object.keys(o.op.responses as Obj)) {
      if (!notDriven(o.id, status) && !onlyWhileClosing(o, status)) t.ok(observed.has(`${o.id} ${status}`), `${o.id}: its declared ${status} is produced`)
    }
    // Every error example is a body of its status, with a code the catalog gives that status.
    for (const [status, declared] of Object.entries(o.op.responses as Obj)) {
      if (Number(status) < 400) continue
      const media = resolve(declared).content?.['application/json'] as Obj | undefined
      if (media?.schema?.$ref !== '#/components/schemas/ErrorResponse') continue
      const validate = ajv.getSchema(`openapi.json#/${pointer('paths', o.path, o.method.toLowerCase(), 'responses', status, 'content', 'application/json', 'schema')}`)!
      const examples = media.example !== undefined ? [media.example] : Object.values(media.examples ?? {}).map(e => (e as Obj).value)
      t.ok(examples.length > 0, `${o.id} ${status}: has an example`)
      for (const e of examples) {
        t.ok(validate(e), `${o.id} ${status}: example ${e.code} matches the schema`)
        const catalogued = (ERROR_CODES as Obj)[e.code] ?? (FASTIFY_ERROR_CODES as Obj)[e.code]
        t.ok(e.statusCode === Number(status) && catalogued?.statusCode === Number(status), `${o.id} ${status}: example ${e.code} is a ${status} of the catalog`)
      }
    }
    // The examples are real answers: one shows a code the operation sent, and for the
    // answers that do not depend on configuration or timing, one is the body sent.
    for (const [status, declared] of Object.entries(o.op.responses as Obj)) {
      const bodies = observed.get(`${o.id} ${status}`) ?? []
      if (Number(status) < 400 || bodies.length === 0) continue
      const media = resolve(declared).content?.['application/json'] as Obj | undefined
      const examples = media === undefined ? [] : media.example !== undefined ? [media.example] : Object.values(media.examples ?? {}).map(e => (e as Obj).value)
      t.ok(examples.some(e => bodies.some(b => b.code === e.code)), `${o.id} ${status}: an example shows a code it sent (${[...new Set(bodies.map(b => b.code))].join(', ')})`)
      if (['400', '401', '403', '413', '415'].includes(status)) {
        t.ok(examples.some(e => bodies.some(b => isDeepStrictEqual(b, e))), `${o.id} ${status}: an example is a body it sent`)
      }
    }
  }
})
