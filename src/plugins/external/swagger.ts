import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { SCOPES } from '../../auth/scopes.js'
import { errorBody, RateLimitedError } from '../../errors.js'
import { nameErrorExamples } from '../../schemas/name-error-examples.js'
import { shareResponseHeaders } from '../../schemas/share-response-headers.js'
import { nameWildcardParams } from '../../schemas/name-wildcard-params.js'
import { hoistMediaExamples, linkSchemaComponents } from '../../schemas/link-schema-components.js'

// A real 429 body, so the page cannot show one the service would not send.
const rateLimited = errorBody(new RateLimitedError('rate limit exceeded: 100000 requests per 60000 ms', 17))

// What a new user needs before "Try it out" works: a key, the Authorize dialog, and what a
// repeated example or a used-up limit answers. Swagger UI renders it as Markdown.
const description = `Tamper-evident audit log: events are scrubbed, queued, and appended to a per-tenant SHA-256 hash chain and RFC 6962 Merkle tree.

### Get a key
Every operation but \`/health*\`, \`/docs\` and \`/.well-known/*\` needs \`Authorization: Bearer <key>\`. A key belongs to one tenant and has scopes (${SCOPES.map(s => `\`${s}\``).join(', ')}).
- An operator creates one on a host with the service's \`DATABASE_URL\` and \`REDIS_URL\`: \`npx audit-service keys create --tenant default --scopes events:write,events:read\` prints the key once (\`ask_...\`).
- \`ADMIN_API_KEY\`, set in the service's environment, is a bootstrap key with every scope on every tenant: use it to create keys (\`POST /keys\`, or the command above), then keep it in a vault.

### Try it out here
Press **Authorize**, paste the key (without \`Bearer\`), press **Authorize** and **Close**. Open an operation, press **Try it out**, then **Execute**. The example event of \`POST /audit-events\` carries an \`id\`: the first **Execute** answers 202 \`"duplicate": false\`, each one after it 202 \`"duplicate": true\`, and the event is stored once. Change the \`id\` (or remove it, and the service makes one) to send a new event; the same \`id\` with other content is a 409 \`AUDIT_ERR_ID_CONFLICT\`. **Try it out** also fills every optional parameter with its example: empty those you do not mean. The examples of \`GET /audit-events\` make one query (its \`cursor\` included) that finds the example event.

### Rate limits
Each key has a limit of requests per window (\`RATE_LIMIT_MAX\` per \`RATE_LIMIT_WINDOW_MS\`), and each answer to a request with a valid key says where it stands:
- \`x-ratelimit-limit\`: requests allowed per window;
- \`x-ratelimit-remaining\`: requests left in this window;
- \`x-ratelimit-reset\`: seconds until the window starts again.

Past the limit the answer is 429 with \`Retry-After\` (seconds), for example:

\`\`\`json
${JSON.stringify(rateLimited, null, 2)}
\`\`\`
`

export const openapiInfo = {
  title: 'audit-service',
  description,
  version: '0.1.0',
  license: { name: 'Apache-2.0', identifier: 'Apache-2.0' }
}

/** OpenAPI 3.1 document built from the route schemas, served as a page at /docs. */
export default fp(async (app: FastifyInstance) => {
  await app.register(swagger, {
    // Components are named after each schema's $id instead of def-0, def-1...
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: openapiInfo,
      // Relative to where the document is served: "Try it out" on /docs calls this very instance.
      servers: [{ url: '/', description: 'The instance serving this document' }],
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer ask_...`' } }
      },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'events', description: 'Sending audit events' },
        { name: 'checkpoints', description: 'Signed C2SP checkpoints over each tenant\'s Merkle tree, and the key to check them' },
        { name: 'proofs', description: 'Inclusion and consistency proofs (RFC 9162), checkable offline' },
        { name: 'tiles', description: 'Each tenant\'s log as a C2SP tlog-tiles log under `/logs/<tenant>/`: checkpoint, hash tiles, entry bundles' },
        { name: 'verification', description: 'Recomputing and exporting the log' },
        { name: 'keys', description: 'API keys (admin scope)' },
        { name: 'dead letters', description: 'Jobs that failed for good (admin scope)' },
        { name: 'health', description: 'Probes for load balancers and orchestrators' }
      ]
    },
    // Inline copies of the shared schemas become $refs to their components, and every body
    // shows its example on the media type.
    // The tile routes' wildcard is the tlog-tiles `<N>[.p/<W>]`: named N, as the spec names it.
    transformObject: (documents) => 'openapiObject' in documents ? nameWildcardParams(nameErrorExamples(shareResponseHeaders(hoistMediaExamples(linkSchemaComponents(documents.openapiObject)))), 'N') : documents.swaggerObject
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
}, { name: 'swagger' })
