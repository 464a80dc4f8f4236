import fp from 'fastify-plugin'
import { loadSigningKey, type SigningKey, type SigningKeySource } from './load-signing-key.js'

declare module 'fastify' {
  interface FastifyInstance {
    signingKey: SigningKey
  }
}

export type SigningPluginOptions = SigningKeySource

/** The log's signing key, loaded once; checkpoints and receipts are signed with it. */
export default fp<SigningPluginOptions>(async (app, opts) => {
  app.decorate('signingKey', await loadSigningKey({ ...opts, logger: app.log as never }))
}, { name: 'signing' })
