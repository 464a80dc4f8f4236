import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'

export interface RateLimitOptions {
  redisUrl: string
  max: number
  windowMs: number
  nameSpace: string
}

/**
 * Per-key rate limits, counted in Redis so every API instance shares them. Runs after
 * authentication (preHandler), so the count is per API key; public routes are exempt.
 * Auto-pipelining folds the counters of concurrent requests into one Redis round trip.
 */
export default fp<RateLimitOptions>(async (app: FastifyInstance, opts) => {
  const redis = new Redis(opts.redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: times => Math.min(100 * times, 1000) })
  redis.on('error', () => {})
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: opts.max,
    timeWindow: opts.windowMs,
    redis,
    nameSpace: opts.nameSpace,
    // Redis down is already a 503 for ingest; reads should not fail on the limiter alone.
    skipOnError: true,
    keyGenerator: request => request.principal?.keyId ?? request.ip,
    allowList: request => request.routeOptions.config.public === true
  })
  app.addHook('onClose', async () => { redis.disconnect() })
}, { name: 'rate-limit' })
