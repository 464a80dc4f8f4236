import { logOrigin } from '../src/core/checkpoint/index.js'
import { loadConfig } from '../src/config.js'
import { createLogger } from '../src/logger.js'
import { loadSigningKey } from '../src/plugins/load-signing-key.js'
import { createDatabase } from '../src/store/database.js'
import type { BenchContext } from './bench-context.js'
import { databaseUrl, dropDatabase, recreateDatabase } from './bench-database.js'
import { createApiKey, migrateBenchDatabase, startApi } from './bench-services.js'
import { measureReadsUnderLoad, type ReadsUnderLoadFigure } from './measure-reads-under-load.js'
import { seedChainedLog } from './seed-chained-log.js'

export interface HeavyReadsFigure extends ReadsUnderLoadFigure {
  checkpoints: number
  seedSeconds: number
}

/**
 * Figure 9: a tenant of BENCH_HEAVY_ROWS rows and BENCH_HEAVY_CHECKPOINTS signed checkpoints
 * written straight into a database of its own, then two GET /verify and two exports at once
 * against the real API process while /health/live is probed on its port.
 */
export async function measureHeavyReads (ctx: BenchContext): Promise<HeavyReadsFigure> {
  const { options } = ctx
  const name = `${options.database}_heavy`
  const url = databaseUrl(options.pgAdminUrl, name)
  await recreateDatabase(options.pgAdminUrl, name)
  // Two verifies of the one big tenant must run side by side, not be refused.
  const env = { ...ctx.env, DATABASE_URL: url, READ_VERIFY_PER_TENANT: '2' }
  const sub: BenchContext = { ...ctx, env, config: loadConfig(env), databaseUrl: url }
  try {
    await migrateBenchDatabase(sub)
    const key = await loadSigningKey({
      name: sub.config.signingKeyName,
      ...(sub.config.signingKey !== undefined && { key: sub.config.signingKey }),
      ...(sub.config.signingKeyFile !== undefined && { keyFile: sub.config.signingKeyFile }),
      devKeyDir: sub.config.devKeyDir,
      logger: createLogger('silent', 'bench')
    })
    const db = createDatabase({ connectionString: url, max: 2 })
    let seedSeconds: number
    try {
      seedSeconds = (await seedChainedLog(db, {
        tenant: 'heavy',
        rows: options.heavyRows,
        checkpoints: options.heavyCheckpoints,
        origin: logOrigin(sub.config.logOrigin, 'heavy'),
        key: { name: key.name, privateKey: key.privateKey },
        log: ctx.log
      })).seconds
    } finally {
      await db.destroy()
    }
    const apiKey = await createApiKey(sub, 'heavy', ['events:read'])
    const api = await startApi(sub)
    try {
      const figure = await measureReadsUnderLoad({
        base: `http://127.0.0.1:${sub.config.port}`,
        tenant: 'heavy',
        rows: options.heavyRows,
        headers: { authorization: `Bearer ${apiKey}` }
      })
      ctx.log(`figure 9: reads ${figure.seconds.toFixed(1)} s, /health/live p99 ${figure.health.p99.toFixed(1)} ms over ${figure.health.probes} probes`)
      return { ...figure, checkpoints: options.heavyCheckpoints, seedSeconds }
    } finally {
      await api.stop()
    }
  } finally {
    if (!options.keepDatabase) await dropDatabase(options.pgAdminUrl, name).catch(() => {})
  }
}
