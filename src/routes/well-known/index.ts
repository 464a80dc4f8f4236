import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { VerifierKeys, VerifierKeysQuery } from '../../schemas/checkpoint.js'
import { described } from '../../schemas/error.js'

/**
 * Publishes the keys that sign the logs' checkpoints and receipts, so anyone can verify them.
 * Each tenant's key is named after its log's origin; tenant names are private, so only public
 * tenants' (PUBLIC_TENANTS) are listed: `?tenant=` gives one log's concrete keys, and the answer
 * without it gives each key as a template (`<origin_prefix>/<tenant>`), from which any tenant's
 * verifier key follows, then each public tenant's concrete keys.
 */
const wellKnownRoutes: FastifyPluginAsyncTypebox<{ originPrefix: string, publicTenants: readonly string[] }> = async (app, opts) => {
  app.get('/.well-known/audit-log-keys', {
    config: { public: true },
    schema: {
      security: [],
      operationId: 'getVerifierKeys',
      summary: 'Verifier keys of the logs\' checkpoints and receipts (C2SP verifier-key format)',
      description: 'With `tenant`: that log\'s keys, named after its origin `<origin_prefix>/<tenant>` (C2SP tlog-checkpoint), each with its status and validity: the active key, a rotation\'s next key (during the overlap notes carry both signatures), retired keys (old notes), and legacy keys: the same key material under the single name notes had before keys were named after origins (`SIGNING_KEY_NAME`). Without `tenant`: each key as a template (name `<origin_prefix>/<tenant>`, public key; the key id depends on the name), and legacy keys as they are; then, for each tenant whose log is public (`PUBLIC_TENANTS`), its concrete keys, the same entries as its `?tenant=` answer (no other tenant is ever named). A verifier of one log trusts only that log\'s keys, so another log\'s checkpoint is refused by its key alone.',
      tags: ['checkpoints'],
      querystring: VerifierKeysQuery,
      response: { 200: described(VerifierKeys, 'The keys that sign (and signed) the log\'s notes') }
    }
  }, async (request) => {
    const keys = await app.logKeys.fresh()
    const { tenant } = request.query
    return { keys: tenant === undefined ? keys.listing(opts.publicTenants) : keys.published(tenant), origin_prefix: opts.originPrefix }
  })
}

export default wellKnownRoutes
