import { loadConfig } from '../config.js'
import { createLogger } from '../logger.js'
import { createDatabase } from '../store/database.js'
import { grantServiceRole } from '../store/service-role.js'
import { ensureDatabase, migrateToLatest } from '../store/migrate-to-latest.js'

/**
 * `audit-service migrate`: creates the database if needed and applies pending migrations; with
 * DATABASE_SERVICE_ROLE, also the least-privilege role the API and worker connect as.
 */
export async function migrate (): Promise<void> {
  const config = loadConfig()
  const logger = createLogger(config.logLevel, 'audit-migrate')
  await ensureDatabase(config.databaseUrl)
  const db = createDatabase({ connectionString: config.databaseUrl, max: 1 })
  try {
    const applied = await migrateToLatest(db)
    logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'database is up to date')
    if (config.databaseServiceRole !== undefined) {
      await grantServiceRole(db, config.databaseServiceRole, config.databaseServicePassword)
      logger.info({ role: config.databaseServiceRole }, 'service role granted what the API and worker need')
    }
  } finally {
    await db.destroy()
  }
}
