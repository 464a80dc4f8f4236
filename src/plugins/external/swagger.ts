import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { nameErrorExamples } from '../../schemas/name-error-examples.js'
import { shareResponseHeaders } from '../../schemas/share-response-headers.js'
import { hoistMediaExamples, linkSchemaComponents } from '../../schemas/link-schema-components.js'

export const openapiInfo = {
  title: 'audit-service',
  description: 'Tamper-evident audit log: events are scrubbed, queued, and appended to a per-tenant SHA-256 hash chain and RFC 6962 Merkle tree.',
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
        { name: 'verification', description: 'Recomputing and exporting the log' },
        { name: 'keys', description: 'API keys (admin scope)' },
        { name: 'dead letters', description: 'Jobs that failed for good (admin scope)' },
        { name: 'health', description: 'Probes for load balancers and orchestrators' }
      ]
    },
    // Inline copies of the shared schemas become $refs to their components, and every body
    // shows its example on the media type.
    transformObject: (documents) => 'openapiObject' in documents ? nameErrorExamples(shareResponseHeaders(hoistMediaExamples(linkSchemaComponents(documents.openapiObject)))) : documents.swaggerObject
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
}, { name: 'swagger' })
