import { Worker } from 'bullmq'
import type { Logger } from 'pino'
import { ChainAppender } from './chain-appender.js'
import type { Config } from '../config.js'
import type { AppendJobData, AppendJobResult } from '../queue/append-job.js'
import { createEventQueue, eventQueueOptions } from '../queue/create-event-queue.js'
import { createRedisConnection } from '../queue/redis-connection.js'
import { JobMac } from '../queue/job-mac.js'
import { createDatabase } from '../store/database.js'
import { PgEventStore } from '../store/pg-event-store.js'
import { PgCheckpointStore } from '../store/pg-checkpoint-store.js'
import { CheckpointSigner, scheduleCheckpoints } from './checkpoint-signer.js'
import { logOrigin } from '../core/checkpoint/index.js'
import { loadSigningKeys, signingKeyOptions } from '../plugins/load-signing-key.js'
import { LogKeyRing } from '../keys/log-key-ring.js'
import { PgLogKeyStore } from '../store/pg-log-key-store.js'
import { createAppendProcessor } from './create-append-processor.js'
import { startMetricsServer } from '../metrics/start-metrics-server.js'
import { BackgroundVerifier } from './background-verifier.js'
import { createWorkerMetrics } from '../metrics/worker-metrics.js'
import { deadLetterCounter } from './dead-letter-counter.js'
import { PgCosignatureStore } from '../store/pg-cosignature-store.js'
import { PgLogReader } from '../store/pg-log-reader.js'
import { CheckpointWitnessing, scheduleWitnessing } from '../witnessing/checkpoint-witnessing.js'

export interface AuditWorker {
  close (): Promise<void>
  /** The metrics listener's port (0: none). */
  metricsPort: number
}

/**
 * Wires the append worker: BullMQ consumer -> chain appender -> PostgreSQL. Never exits the
 * process itself; `workers/main.ts` owns signals and exit codes.
 */
export async function createWorker (config: Config, logger: Logger): Promise<AuditWorker> {
  const db = createDatabase({ connectionString: config.databaseUrl, max: 10, applicationName: 'audit-service-worker' })
  const store = new PgEventStore(db)
  const metrics = createWorkerMetrics({ tenantSeries: config.metricsTenants, witnesses: config.witnesses.map(w => w.id) })
  const appender = new ChainAppender({
    store,
    maxBatch: config.appendBatchMax,
    onTransaction: (outcome, events, seconds) => {
      if (outcome === 'committed') metrics.batchSize.observe(events)
      metrics.commitDuration.observe({ outcome }, seconds)
    }
  })
  const queueConnection = createRedisConnection(config.redisUrl, 'worker')
  const queue = createEventQueue(eventQueueOptions(config, queueConnection))
  // BullMQ prints a queue's connection errors to stderr unless someone listens: while Redis is
  // away that was a raw stack per reconnection, beside the worker's own 'worker error' log.
  queue.on('error', () => {})
  const workerConnection = createRedisConnection(config.redisUrl, 'worker')
  const worker = new Worker<AppendJobData, AppendJobResult>(config.queueName,
    createAppendProcessor({ appender, queue, logger, metrics, ...(config.jobHmacKey !== undefined && { jobMac: new JobMac(config.jobHmacKey) }) }),
    {
      connection: workerConnection,
      prefix: config.queuePrefix,
      concurrency: config.workerConcurrency,
      // A job whose worker is killed mid-batch comes back as stalled; BullMQ's default of one
      // such return would dead-letter accepted events after two crashes. Redelivery is safe.
      maxStalledCount: 20
    })

  // Apart from signing, on its own timer (woken by each signing): a witness that is slow or
  // down holds up its own cosignatures, never a checkpoint or an append.
  const logReader = new PgLogReader(db)
  const witnessing = new CheckpointWitnessing({
    witnesses: config.witnesses,
    store: new PgCosignatureStore(db),
    nodesOf: tenant => nodes => logReader.nodes(tenant, nodes),
    timeoutMs: config.witnessTimeoutMs,
    logger,
    onOutcome: (witness, outcome) => { metrics.witnessRequests.inc({ witness, outcome }) }
  })
  const witnessingSchedule = config.witnesses.length === 0
    ? { wake: () => {}, stop: async () => {} }
    : scheduleWitnessing(witnessing, {
      everyMs: Math.min(1000, config.checkpointIntervalSeconds * 1000),
      sweepMs: Math.max(10_000, config.checkpointIntervalSeconds * 1000),
      onError: err => logger.warn({ err: (err as Error).message }, 'witnessing round failed; will retry')
    })
  const { key, next } = await loadSigningKeys({ ...signingKeyOptions(config), logger })
  const logKeys = new LogKeyRing({ originPrefix: config.logOrigin, legacyName: config.signingKeyName, current: key, ...(next !== undefined && { next }), store: new PgLogKeyStore(db), logger })
  await logKeys.start()
  const signer = new CheckpointSigner({
    store: new PgCheckpointStore(db),
    signersFor: tenant => logKeys.keys.signersFor(tenant),
    onSigned: () => { logKeys.noteSigned() },
    originFor: tenant => logOrigin(config.logOrigin, tenant)
  })
  const stopCheckpoints = scheduleCheckpoints(signer, {
    intervalSeconds: config.checkpointIntervalSeconds,
    onError: err => logger.warn({ err: (err as Error).message }, 'checkpoint signing failed; will retry'),
    // A new checkpoint is witnessed at once, not at the next sweep.
    onSigned: () => { witnessingSchedule.wake() }
  })

  const backgroundVerifier = new BackgroundVerifier({
    db,
    verifiersFor: async tenant => (await logKeys.fresh()).verifiersFor(tenant),
    originFor: tenant => logOrigin(config.logOrigin, tenant),
    pagesPerRun: config.verifyPagesPerRun,
    onResult: r => { metrics.recordVerification({ tenant: r.tenant, valid: r.valid, at: r.at, verifiedSize: r.verifiedSize }) },
    onRunEnd: at => { metrics.recordVerificationRun(at) },
    onFailure: r => { logger.error({ tenant: r.tenant, error: r.error }, 'background verification found the tenant\'s log does not verify: treat as an incident') }
  })
  const metricsServer = await startMetricsServer(metrics.registry, config.host, config.workerMetricsPort, config.metricsToken)
  if (config.verifyIntervalSeconds > 0) {
    backgroundVerifier.start(config.verifyIntervalSeconds * 1000, err => { logger.warn({ err: (err as Error).message }, 'background verification run failed; will retry') })
  }

  const countDeadLetter = deadLetterCounter(worker, queueConnection, metrics, logger)
  worker.on('failed', (job, err) => {
    metrics.jobFailures.inc()
    logger.warn({ job: job?.id, attempts: job?.attemptsMade, err: err.message }, 'append job failed')
    if (job !== undefined) countDeadLetter(job)
  })
  worker.on('error', err => logger.error({ err: err.message }, 'worker error'))

  let closing: Promise<void> | undefined
  const close = async () => {
    stopCheckpoints()
    await witnessingSchedule.stop()
    await backgroundVerifier.stop()
    await metricsServer.close()
    // Finishes the jobs in hand (their transactions commit or roll back) and takes no more.
    await worker.close()
    await queue.close()
    await Promise.allSettled([db.destroy(), workerConnection.quit(), queueConnection.quit()])
  }
  // Closing twice (a signal and a test teardown) waits for the same close.
  return { close: () => (closing ??= close()), metricsPort: metricsServer.port }
}
