import fp from 'fastify-plugin'
import type { Kysely } from 'kysely'
import { createDatabase, type Database } from '../store/database.js'
import { PgCheckpointStore } from '../store/pg-checkpoint-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>
    /** A small pool of its own for whole-log reads, so they never take the API's connections. */
    /** The signed checkpoints (on `db`). */
    checkpointStore: PgCheckpointStore
  }
}

export interface DatabasePluginOptions {
  connectionString: string
  connectionTimeoutMillis: number
}

/** Shared PostgreSQL access (Kysely over pg pools), closed with the app. */
export default fp<DatabasePluginOptions>(async (app, opts) => {
  const db = createDatabase({
    connectionString: opts.connectionString,
    connectionTimeoutMillis: opts.connectionTimeoutMillis,
    applicationName: 'audit-service-api'
  })
  app.decorate('db', db)
  app.decorate('checkpointStore', new PgCheckpointStore(db))
  app.addHook('onClose', async () => { await db.destroy() })
}, { name: 'database' })
