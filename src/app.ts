import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import { errorBody, NotFoundError, ShuttingDownError } from './errors.js'
import { errorHandler } from './http/error-handler.js'
import { registerJsonBodyParser } from './http/json-body-parser.js'
import { ReadLimiter } from './limits/read-limiter.js'
import { ReadThreadPool } from './verification/read-thread-pool.js'
import { genReqId } from './http/request-id.js'
import { declareStandardResponses } from './http/standard-responses.js'
import { createValidatorCompiler } from './http/validator-compiler.js'
import databasePlugin from './plugins/database.js'
import swaggerPlugin from './plugins/external/swagger.js'
import queuePlugin from './plugins/queue.js'
import exportRoutes from './routes/audit-events/export.js'
import readRoutes from './routes/audit-events/read.js'
import auditEventRoutes from './routes/audit-events/index.js'
import checkpointRoutes from './routes/checkpoints/index.js'
import verifyRoutes from './routes/verify/index.js'
import wellKnownRoutes from './routes/well-known/index.js'
import proofRoutes from './routes/proofs/index.js'
import keyRoutes from './routes/keys/index.js'
import deadLetterRoutes from './routes/dead-letters/index.js'
import tileLogRoutes from './routes/logs/index.js'
import signingPlugin from './plugins/signing.js'
import { signingKeyOptions } from './plugins/load-signing-key.js'
import authPlugin from './plugins/auth.js'
import metricsPlugin from './plugins/metrics.js'
import rateLimitPlugin from './plugins/rate-limit.js'
import healthRoutes from './routes/health/index.js'
import { sharedSchemas } from './schemas/index.js'

/** Trusts that many proxies in front of the API (what Fastify does for a number at run time). */
function hopsTrusted (hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops
}

export interface BuildAppOptions {
  config: Config
  /** pino options or instance for the request logger; false for silence (tests). */
  logger?: FastifyServerOptions['logger']
  loggerInstance?: FastifyServerOptions['loggerInstance']
}

/**
 * Builds the HTTP API without listening: `server.ts` listens, tests `inject`.
 *
 * @example
 * const app = await buildApp({ config: loadConfig() })
 * const res = await app.inject({ method: 'GET', url: '/health/live' })
 */
export async function buildApp (options: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = options
  const app = Fastify({
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? false }),
    genReqId,
    bodyLimit: config.bodyLimitBytes,
    // request.ip (rate limits per address, the actor of own-access events) from X-Forwarded-For
    // only when the socket's peer is a trusted proxy.
    trustProxy: typeof config.trustProxy === 'number' ? hopsTrusted(config.trustProxy) : config.trustProxy,
    // Slow or stalled clients must not hold sockets for ever: headers and body within
    // REQUEST_TIMEOUT_MS (Node checks every second), and a silent socket is closed as well.
    connectionTimeout: config.requestTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    http: { requestTimeout: config.requestTimeoutMs, connectionsCheckingInterval: Math.min(1_000, config.requestTimeoutMs) },
    keepAliveTimeout: 5_000,
    return503OnClosing: false,
    forceCloseConnections: 'idle'
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.setValidatorCompiler(createValidatorCompiler())
  app.setErrorHandler(errorHandler)
  registerJsonBodyParser(app)
  // From the first step of closing, keyed requests that still arrive (on connections still open)
  // are refused with the service's own 503 rather than Fastify's bare one (return503OnClosing),
  // so they carry a code, Retry-After and x-request-id, as the OpenAPI document says.
  let closing = false
  app.addHook('preClose', (done) => { closing = true; done() })
  // Set as the request arrives, so every answer carries it, errors included; a callback hook
  // costs no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    // Public routes (health, keys, metrics) still answer: cheap, and /health says it is closing.
    if (closing && request.routeOptions.config.public !== true) {
      reply.header('connection', 'close')
      done(new ShuttingDownError())
      return
    }
    done()
  })

  // Shared schemas become named OpenAPI components; routes use the same objects inline.
  for (const schema of sharedSchemas) app.addSchema(schema)
  await app.register(swaggerPlugin)
  // Before any route: each gets the error responses and headers that apply to it.
  app.addHook('onRoute', declareStandardResponses)
  await app.register(databasePlugin, { connectionString: config.databaseUrl, connectionTimeoutMillis: config.healthTimeoutMs * 4 })
  await app.register(queuePlugin, { config })
  await app.register(metricsPlugin, { host: config.host, port: config.apiMetricsPort, readingMs: config.metricsCacheMs, tenantSeries: config.metricsTenants, witnesses: config.witnesses.map(w => w.id), witnessPolicy: config.witnessPolicy, witnessGraceSeconds: config.witnessGraceSeconds, ...(config.metricsToken !== undefined && { token: config.metricsToken }) })
  // Before auth: its address check runs before a key lookup can reach the database.
  await app.register(rateLimitPlugin, {
    redisUrl: config.redisUrl,
    max: config.rateLimitMax,
    windowMs: config.rateLimitWindowMs,
    nameSpace: `${config.queuePrefix}:rate:`,
    ipMax: config.rateLimitIpMax,
    expensiveWeight: config.rateLimitExpensiveWeight,
    ownAccessMax: config.ownAccessMax,
    // Set by the auth plugin's onRequest hook, which runs before this plugin's hooks.
    keyIdOf: request => request.principal?.keyId
  })
  await app.register(authPlugin, {
    redisUrl: config.redisUrl,
    channel: `${config.queuePrefix}:keys:revoked`,
    cacheMs: config.apiKeyCacheMs,
    unknownCacheMs: config.apiKeyUnknownCacheMs,
    ...(config.adminApiKey !== undefined && { adminKey: config.adminApiKey })
  })
  await app.register(signingPlugin, { ...signingKeyOptions(config), originPrefix: config.logOrigin })

  await app.register(healthRoutes, {
    timeoutMs: config.healthTimeoutMs,
    cacheMs: config.healthCacheMs,
    healthPort: config.healthPort,
    host: config.host,
    maxWaiting: config.queueMaxWaiting,
    maxQueueLagSeconds: config.healthMaxQueueLagSeconds,
    maxDeadLetters: config.healthMaxDeadLetters,
    maxCheckpointAgeSeconds: config.healthMaxCheckpointAgeSeconds,
    witnesses: config.witnesses.map(w => w.id),
    witnessPolicy: config.witnessPolicy,
    witnessGraceSeconds: config.witnessGraceSeconds,
    waitReplicas: config.redisWaitReplicas
  })
  await app.register(auditEventRoutes, {
    defaultTenant: config.defaultTenant,
    scrubExtraKeys: config.scrubExtraKeys,
    scrubExtraPatterns: config.scrubExtraPatterns,
    batchBodyLimit: config.batchBodyLimitBytes,
    originPrefix: config.logOrigin,
    recordMaxBytes: config.recordMaxBytes
  })
  const logRoutes = { defaultTenant: config.defaultTenant, originPrefix: config.logOrigin }
  const readLimiter = new ReadLimiter({
    perTenant: { verify: config.readVerifyPerTenant, export: config.readExportPerTenant },
    total: config.readMaxConcurrent,
    retryAfterSeconds: 5
  })
  // As many threads as reads may run, READ_POOL_MAX connections each: the log reader reads two
  // pages ahead on other connections, and with one connection a verification ran 2.5x slower.
  const readThreads = new ReadThreadPool({
    size: config.readMaxConcurrent,
    connectionString: config.databaseUrl,
    poolMax: config.readPoolMax,
    connectionTimeoutMillis: Math.max(config.healthTimeoutMs * 4, 10_000)
  })
  app.addHook('onClose', async () => { await readThreads.close() })
  await app.register(exportRoutes, { ...logRoutes, readLimiter, readThreads })
  await app.register(readRoutes, { defaultTenant: config.defaultTenant })
  await app.register(checkpointRoutes, logRoutes)
  await app.register(proofRoutes, logRoutes)
  await app.register(verifyRoutes, { ...logRoutes, readLimiter, readThreads })
  await app.register(wellKnownRoutes, { originPrefix: config.logOrigin, publicTenants: config.publicTenants })
  await app.register(keyRoutes, { defaultTenant: config.defaultTenant })
  await app.register(deadLetterRoutes)
  await app.register(tileLogRoutes, { defaultTenant: config.defaultTenant, publicTenants: config.publicTenants })

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody(new NotFoundError(`no route ${request.method} ${request.url.split('?')[0]}`)))
  })
  return app
}
