import fp from 'fastify-plugin'
import type { RedisClient } from '../queue/redis-connection.js'
import type { Config } from '../config.js'
import { createEventQueue, eventQueueOptions, type EventQueue } from '../queue/create-event-queue.js'
import { EventProducer, eventProducerOptions } from '../ingest/event-producer.js'
import { PgStoredIdLookup } from '../store/pg-stored-id-lookup.js'
import { createRedisConnection } from '../queue/redis-connection.js'
import { QueueGate } from '../queue/queue-gate.js'
import { raceDeadline } from '../race-deadline.js'

declare module 'fastify' {
  interface FastifyInstance {
    redis: RedisClient
    eventQueue: EventQueue
    producer: EventProducer
    /** What every route but ingest goes through to reach Redis: 503 within HEALTH_TIMEOUT_MS, never a hang. */
    queueGate: QueueGate
  }
}

/** Shared Redis connection, BullMQ queue, the batching producer and the gate to Redis; closed with the app. */
export default fp<{ config: Config }>(async (app, { config }) => {
  const redis = createRedisConnection(config.redisUrl, 'producer')
  const eventQueue = createEventQueue(eventQueueOptions(config, redis))
  // BullMQ reports connection trouble as 'error' events; requests see it as a 503.
  eventQueue.on('error', () => {})
  const producer = new EventProducer({
    ...eventProducerOptions(config, eventQueue, redis),
    // Registered after the database plugin: ids Redis forgot are looked up in the log.
    storedIds: new PgStoredIdLookup(app.db),
    onLookupError: err => app.log.warn({ err: (err as Error).message }, 'stored id lookup failed; answering from Redis alone')
  })
  producer.startBacklogMonitor()
  app.decorate<RedisClient>('redis', redis)
  app.decorate('eventQueue', eventQueue)
  app.decorate('producer', producer)
  app.decorate('queueGate', new QueueGate({ redis, deadlineMs: config.healthTimeoutMs }))
  // The gate refuses requests while the connection is not ready, so the first requests after
  // start-up must not find it still being made: start-up waits for it, up to the health
  // deadline. Redis down: the API starts anyway and answers 503 where it needs Redis.
  app.addHook('onReady', async () => { await connectedWithin(redis, config.healthTimeoutMs) })
  app.addHook('preClose', async () => { await producer.close() })
  app.addHook('onClose', async () => {
    await eventQueue.close().catch(() => {})
    redis.disconnect()
  })
}, { name: 'queue' })

async function connectedWithin (redis: RedisClient, ms: number): Promise<void> {
  if (redis.status === 'ready') return
  let onReady = () => {}
  const ready = new Promise<void>(resolve => { onReady = resolve })
  redis.once('ready', onReady)
  await raceDeadline(ready, ms, () => new Error('not ready')).catch(() => {})
  redis.removeListener('ready', onReady)
}
