// Entry: the ceiling for the ingest figures. A bare Fastify app with the API's body schemas
// and the API's Ajv options (createValidatorCompiler), whose handlers only answer 202 {}:
// what HTTP + JSON parsing + schema validation cost on this machine, with nothing behind them.
import Fastify from 'fastify'
import { createValidatorCompiler } from '../src/http/validator-compiler.js'
import { AuditEventBatchInput, AuditEventInput } from '../src/schemas/audit-event.js'

const app = Fastify({ logger: false })
app.setValidatorCompiler(createValidatorCompiler())
app.post('/audit-events', { schema: { body: AuditEventInput } }, async (_request, reply) => reply.code(202).send({}))
app.post('/audit-events/batch', { schema: { body: AuditEventBatchInput } }, async (_request, reply) => reply.code(202).send({}))
app.get('/health/live', async () => ({ status: 'ok' }))

const close = () => { app.close().then(() => process.exit(0), () => process.exit(1)) }
process.on('SIGTERM', close)
process.on('SIGINT', close)
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3901) })
