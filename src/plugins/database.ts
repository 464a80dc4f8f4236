import fp from 'fastify-plugin'
import type { Kysely } from 'kysely'
import { createDatabase, type Database } from '../store/database.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>
  }
}

export interface DatabasePluginOptions {
  connectionString: string
  connectionTimeoutMillis: number
}

/** Shared PostgreSQL access (Kysely over a pg pool), closed with the app. */
export default fp<DatabasePluginOptions>(async (app, opts) => {
  const db = createDatabase({
    connectionString: opts.connectionString,
    connectionTimeoutMillis: opts.connectionTimeoutMillis,
    applicationName: 'audit-service-api'
  })
  app.decorate('db', db)
  app.addHook('onClose', async () => { await db.destroy() })
}, { name: 'database' })
