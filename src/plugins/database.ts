import fp from 'fastify-plugin'
import type { Kysely } from 'kysely'
import { createDatabase, type Database } from '../store/database.js'
import { PgCheckpointStore } from '../store/pg-checkpoint-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>
    /** A small pool of its own for whole-log reads, so they never take the API's connections. */
    readDb: Kysely<Database>
    /** The signed checkpoints (on `db`). */
    checkpointStore: PgCheckpointStore
  }
}

export interface DatabasePluginOptions {
  connectionString: string
  connectionTimeoutMillis: number
  readPoolMax: number
}

/** Shared PostgreSQL access (Kysely over pg pools), closed with the app. */
export default fp<DatabasePluginOptions>(async (app, opts) => {
  const db = createDatabase({
    connectionString: opts.connectionString,
    connectionTimeoutMillis: opts.connectionTimeoutMillis,
    applicationName: 'audit-service-api'
  })
  // Reads wait here for one another (each keeps up to 3 queries in flight), so their wait
  // for a connection may take longer than a fresh connection should.
  const readDb = createDatabase({
    connectionString: opts.connectionString,
    max: opts.readPoolMax,
    connectionTimeoutMillis: Math.max(opts.connectionTimeoutMillis, 10_000),
    applicationName: 'audit-service-api-reads'
  })
  app.decorate('db', db)
  app.decorate('readDb', readDb)
  app.decorate('checkpointStore', new PgCheckpointStore(db))
  app.addHook('onClose', async () => { await Promise.all([db.destroy(), readDb.destroy()]) })
}, { name: 'database' })
