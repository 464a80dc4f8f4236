import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import { BatchedRedisStore } from './batched-redis-store.js'

export interface RateLimitOptions {
  redisUrl: string
  max: number
  windowMs: number
  nameSpace: string
}

/**
 * Per-key rate limits, shared by every API instance through Redis. Runs after
 * authentication (preHandler), so the count is per API key; public routes are exempt.
 * Requests are counted in memory and the counts synced in batches (BatchedRedisStore), so a
 * request costs no Redis command.
 */
export default fp<RateLimitOptions>(async (app: FastifyInstance, opts) => {
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: times => Math.min(100 * times, 1000) })
  redis.on('error', () => {})
  const store = new BatchedRedisStore({ redis, nameSpace: opts.nameSpace, log: app.log })
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: opts.max,
    timeWindow: opts.windowMs,
    store: store.storeClass(),
    // Redis down is already a 503 for ingest; reads should not fail on the limiter alone.
    skipOnError: true,
    keyGenerator: request => request.principal?.keyId ?? request.ip,
    allowList: request => request.routeOptions.config.public === true
  })
  app.addHook('onClose', async () => {
    await store.close()
    redis.disconnect()
  })
}, { name: 'rate-limit' })
