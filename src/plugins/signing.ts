import fp from 'fastify-plugin'
import { LogKeyRing } from '../keys/log-key-ring.js'
import { PgLogKeyStore } from '../store/pg-log-key-store.js'
import { loadSigningKeys, type SigningKey, type SigningKeySource } from './load-signing-key.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The current key (its legacy name and verifier key included). */
    signingKey: SigningKey
    /** Every tenant's signers and verifier keys, named after the tenant's origin. */
    logKeys: LogKeyRing
  }
}

export interface SigningPluginOptions extends SigningKeySource {
  /** LOG_ORIGIN */
  originPrefix: string
}

/** The log's signing keys, loaded once; checkpoints and receipts are signed with them. */
export default fp<SigningPluginOptions>(async (app, opts) => {
  const { key, next } = await loadSigningKeys({ ...opts, logger: app.log as never })
  const ring = new LogKeyRing({
    originPrefix: opts.originPrefix,
    legacyName: opts.name,
    current: key,
    ...(next !== undefined && { next }),
    store: new PgLogKeyStore(app.db),
    logger: app.log as never
  })
  await ring.start()
  app.decorate('signingKey', key)
  app.decorate('logKeys', ring)
}, { name: 'signing', dependencies: ['database'] })
