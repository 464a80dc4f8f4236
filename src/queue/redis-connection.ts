import { Redis } from 'ioredis'

export type RedisRole = 'producer' | 'worker' | 'subscriber'

/**
 * Redis connections for BullMQ and the API's key announcements.
 *
 * A producer must fail fast while Redis is away (the API answers 503 instead of holding the
 * request): a command waits for at most one reconnection attempt. A worker's blocking
 * connection must wait instead, which BullMQ requires as `maxRetriesPerRequest: null`. So
 * must a subscriber: its SUBSCRIBE is re-sent after each reconnection, never given up on.
 */
export function createRedisConnection (url: string, role: RedisRole): Redis {
  const redis = new Redis(url, role === 'producer'
    ? { maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: reconnectDelay }
    : { maxRetriesPerRequest: null, connectTimeout: 2000, retryStrategy: reconnectDelay })
  // Connection errors are reported through health checks and failed commands; an unhandled
  // 'error' event would otherwise crash the process.
  redis.on('error', () => {})
  return redis
}

function reconnectDelay (times: number): number {
  return Math.min(100 * times, 1000)
}
