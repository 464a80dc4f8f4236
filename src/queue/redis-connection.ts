import { Cluster, Redis, type RedisOptions } from 'ioredis'
import { parseRedisUrl } from './parse-redis-url.js'

export type RedisRole = 'producer' | 'worker' | 'subscriber'

/** A connection as the service uses it: to one server or Sentinel group (Redis), or to a cluster. */
export type RedisClient = Redis | Cluster

/**
 * Every Redis connection the service opens, for every REDIS_URL form (parseRedisUrl): the
 * queue, the worker, the ingest producer and its idempotency claims, the rate limits, the
 * key-revocation subscriber, the health checks and the dead-letter counter.
 *
 * A producer must fail fast while Redis is away (the API answers 503 instead of holding the
 * request): a command waits for at most one reconnection attempt. A worker's blocking
 * connection must wait instead, which BullMQ requires as `maxRetriesPerRequest: null`. So
 * must a subscriber: its SUBSCRIBE is re-sent after each reconnection, never given up on.
 *
 * On a cluster, a command for a slot whose master just died is retried every
 * `retryDelayOnFailover` ms, at most `maxRedirections` times, while the replica is promoted;
 * on a Sentinel group the connection, lost with the primary, asks the sentinels for the new
 * one (and checks its role) on every reconnection. (ioredis's `failoverDetector` is left off:
 * its subscriptions to the sentinels outlived `disconnect()` in our tests, keeping a closed
 * service's process alive.)
 */
export function createRedisConnection (url: string, role: RedisRole): RedisClient {
  const target = parseRedisUrl(url)
  const perRole: RedisOptions = {
    maxRetriesPerRequest: role === 'producer' ? 1 : null,
    connectTimeout: 2000,
    retryStrategy: reconnectDelay
  }
  let redis: RedisClient
  if (target.mode === 'single') {
    redis = new Redis(url, perRole)
  } else {
    const auth = {
      ...(target.username !== undefined && { username: target.username }),
      ...(target.password !== undefined && { password: target.password }),
      ...(target.tls && { tls: {} })
    }
    if (target.mode === 'cluster') {
      redis = new Cluster(target.nodes, {
        redisOptions: { ...perRole, ...auth },
        enableReadyCheck: true,
        // A failover takes cluster-node-timeout plus an election: keep retrying past it.
        maxRedirections: 64,
        retryDelayOnFailover: 200,
        retryDelayOnClusterDown: 200,
        retryDelayOnTryAgain: 200,
        slotsRefreshTimeout: 2000,
        clusterRetryStrategy: reconnectDelay
      })
    } else {
      redis = new Redis({
        ...perRole,
        ...auth,
        sentinels: target.sentinels,
        name: target.name,
        ...(target.tls && { enableTLSForSentinelMode: true }),
        sentinelRetryStrategy: reconnectDelay
      })
    }
  }
  // Connection errors are reported through health checks and failed commands; an unhandled
  // 'error' event would otherwise crash the process.
  redis.on('error', () => {})
  return redis
}

function reconnectDelay (times: number): number {
  return Math.min(100 * times, 1000)
}
