// Entry: the plain implementation of the work ingest must do (issue 16, target 3), written the
// simplest way, as the honest ceiling of figures 1 and 2. Per request: the API's Ajv validation
// (createValidatorCompiler and the same body schemas, as the bare server), the project's scrubber,
// per record `canonicalize` (the npm package) + SHA-256 twice (content digest over the scrubbed
// event with id and tenant, record digest over the record with the server's members), one Redis
// pipeline holding a `SET NX EX` per id and one `RPUSH` of the records' JSON, one Ed25519
// signature (node:crypto) over the records' digests, and a small answer (ids and digests).
// A plain list, not BullMQ: one command a worker could pop, the cheapest queue there is.
// No authentication, no limits, no metrics: the tenant is fixed.
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import canonicalize from 'canonicalize'
import Fastify from 'fastify'
import { Redis } from 'ioredis'
import { createValidatorCompiler } from '../src/http/validator-compiler.js'
import { compileScrubber } from '../src/ingest/scrub-secrets.js'
import { AuditEventBatchInput, AuditEventInput } from '../src/schemas/audit-event.js'

const prefix = process.env.PLAIN_KEY_PREFIX || 'bench:plain'
const tenant = process.env.PLAIN_TENANT || 'bench'
const idempotencyTtlSeconds = 24 * 3600
const redis = new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379')
const scrub = compileScrubber()
const { privateKey } = generateKeyPairSync('ed25519')
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest()

interface Accepted { id: string, digest: string, record_sha256: string, duplicate: boolean }

async function ingest (events: AuditEventInput[], requestId: string): Promise<{ items: Accepted[], signature: string }> {
  const receivedAt = new Date().toISOString()
  const records: object[] = []
  const items: Accepted[] = []
  for (const { id: sentId, tenant: _tenant, occurred_at: occurredAt, ...sent } of events) {
    const id = sentId === undefined ? randomUUID() : sentId.toLowerCase()
    // occurred_at is schema-checked and not scrubbed, as in the service.
    const { value, redactions } = scrub(sent)
    const content = { occurred_at: occurredAt, ...(value as object), id, tenant }
    const digest = sha256(canonicalize(content)!).toString('hex')
    const record = { ...content, v: 1, received_at: receivedAt, request_id: sent.request_id ?? requestId, redactions }
    records.push(record)
    items.push({ id, digest, record_sha256: sha256(canonicalize(record)!).toString('base64'), duplicate: false })
  }
  const pipeline = redis.pipeline()
  for (const item of items) pipeline.set(`${prefix}:idem:${tenant}:${item.id}`, `${item.digest} ${receivedAt}`, 'EX', idempotencyTtlSeconds, 'NX')
  pipeline.rpush(`${prefix}:queue`, JSON.stringify(records))
  const replies = await pipeline.exec()
  items.forEach((item, i) => {
    const [err, reply] = replies?.[i] ?? [new Error('no reply')]
    if (err != null) throw err
    item.duplicate = reply === null
  })
  const signature = sign(null, sha256(items.map(item => item.record_sha256).join('\n')), privateKey).toString('base64')
  return { items, signature }
}

const app = Fastify({ logger: false })
app.setValidatorCompiler(createValidatorCompiler())
app.post('/audit-events', { schema: { body: AuditEventInput } }, async (request, reply) => {
  const { items: [item], signature } = await ingest([request.body as AuditEventInput], request.id)
  return reply.code(202).send({ ...item, status: 'accepted', signature })
})
app.post('/audit-events/batch', { schema: { body: AuditEventBatchInput }, bodyLimit: 5 * 1024 * 1024 }, async (request, reply) => {
  const { items, signature } = await ingest((request.body as AuditEventBatchInput).events, request.id)
  return reply.code(202).send({ accepted: items.length, items, signature })
})
app.get('/health/live', async () => ({ status: 'ok' }))

const close = () => { app.close().then(() => redis.quit()).then(() => process.exit(0), () => process.exit(1)) }
process.on('SIGTERM', close)
process.on('SIGINT', close)
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3904) })
