import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { loggerOptions } from './logger.js'
import { limitHeapGrowth } from './limit-heap-growth.js'

/** API process entry: config, logger, graceful shutdown, listen. */
export async function main (): Promise<void> {
  const config = loadConfig()
  limitHeapGrowth(config.heapGrowingPercent)
  const app = await buildApp({ config, logger: loggerOptions(config.logLevel, 'audit-api') })
  // On SIGTERM: stop accepting, let in-flight requests finish (their events are enqueued or
  // refused, never half-done), then close Redis and PostgreSQL.
  closeWithGrace({ delay: config.shutdownGraceMs }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'api closing after error')
    else app.log.info({ signal }, 'api closing')
    await app.close()
  })
  await app.listen({ host: config.host, port: config.port })
}
