import closeWithGrace from 'close-with-grace'
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { limitHeapGrowth } from '../src/limit-heap-growth.js'
import { createWorker } from '../src/worker/create-worker.js'

/** Worker process entry: config, logger, graceful shutdown. Mirrors src/server.ts. */
export async function main (): Promise<void> {
  const config = loadConfig()
  limitHeapGrowth(config.heapGrowingPercent)
  const logger = createLogger(config.logLevel, 'audit-worker')
  const worker = await createWorker(config, logger)
  logger.info({ queue: config.queueName, concurrency: config.workerConcurrency }, 'worker started')
  closeWithGrace({ delay: config.shutdownGraceMs }, async ({ signal, err }) => {
    if (err !== undefined) logger.error({ err }, 'worker closing after error')
    else logger.info({ signal }, 'worker closing')
    await worker.close()
  })
}
