import t from 'tap'
import Fastify from 'fastify'
import { Type } from 'typebox'
import { declareStandardResponses } from '../../src/http/standard-responses.js'
import { TreeSizeError } from '../../src/errors.js'
import { described, errorResponse } from '../../src/schemas/error.js'

const Ok = Type.Object({ ok: Type.Boolean() })

async function responsesOf (route: { method: 'GET' | 'POST', config?: Record<string, unknown>, schema: Record<string, unknown> }) {
  const app = Fastify()
  app.addHook('onRoute', declareStandardResponses)
  let seen: Record<string, { headers?: Record<string, { required: boolean }>, examples?: Array<{ code: string }> }> = {}
  app.addHook('onRoute', r => { seen = (r.schema as { response: typeof seen }).response })
  app.route({ url: '/x', ...route, handler: async () => ({ ok: true }) })
  await app.ready()
  await app.close()
  return seen
}

t.test('a keyed route that takes a body gets every error that applies to it', async t => {
  const responses = await responsesOf({ method: 'POST', config: { scope: 'admin', redis: true }, schema: { body: Type.Object({ name: Type.String() }), response: { 201: described(Ok, 'Created') } } })
  t.same(Object.keys(responses).sort(), ['201', '400', '401', '403', '413', '415', '429', '500', '503'])
  t.equal(responses[400]!.examples![0]!.code, 'AUDIT_ERR_VALIDATION')
  t.equal(responses[429]!.examples![0]!.code, 'AUDIT_ERR_RATE_LIMITED')
  t.ok(responses[401]!.headers!['www-authenticate']!.required, '401: WWW-Authenticate')
  t.notOk(responses[401]!.headers!['x-ratelimit-limit'], '401: refused before it is counted')
  t.ok(responses[429]!.headers!['retry-after']!.required, '429: Retry-After')
  t.ok(responses[503]!.headers!['retry-after']!.required, '503: Retry-After')
  for (const [status, r] of Object.entries(responses)) t.ok(r.headers!['x-request-id']!.required, `${status}: x-request-id`)
})

t.test('a public route without input gets only the fault', async t => {
  const responses = await responsesOf({ method: 'GET', config: { public: true }, schema: { response: { 200: described(Ok, 'Fine') } } })
  t.same(Object.keys(responses).sort(), ['200', '500'])
})

t.test('a route\'s own example of a standard error comes after the standard one', async t => {
  const responses = await responsesOf({ method: 'GET', config: { scope: 'events:read' }, schema: { querystring: Type.Object({ n: Type.Optional(Type.Integer()) }, { additionalProperties: false }), response: { 200: described(Ok, 'Fine'), 400: errorResponse('Bad', new TreeSizeError('n is too large')) } } })
  t.same(responses[400]!.examples!.map(e => e.code), ['AUDIT_ERR_VALIDATION', 'AUDIT_ERR_TREE_SIZE'])
})

t.test('a response without a description does not register', async t => {
  await t.rejects(responsesOf({ method: 'GET', schema: { response: { 200: Ok } } }), /GET \/x: response 200 has no description/)
})
