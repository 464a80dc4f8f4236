import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { VerifierKeys } from '../../schemas/checkpoint.js'
import { described } from '../../schemas/error.js'

/** Publishes the key that signs checkpoints, so anyone can verify them. */
const wellKnownRoutes: FastifyPluginAsyncTypebox<{ originPrefix: string }> = async (app, opts) => {
  app.get('/.well-known/audit-log-keys', {
    config: { public: true },
    schema: {
      security: [],
      operationId: 'getVerifierKeys',
      summary: 'Verifier keys for this log\'s checkpoints (C2SP verifier-key format)',
      tags: ['checkpoints'],
      response: { 200: described(VerifierKeys, 'The key that signs this log\'s checkpoints') }
    }
  }, async () => {
    const key = app.signingKey
    return {
      keys: [{ name: key.name, key_id: key.verifier.keyId.toString('hex'), verifier_key: key.verifierKey }],
      origin_prefix: opts.originPrefix
    }
  })
}

export default wellKnownRoutes
