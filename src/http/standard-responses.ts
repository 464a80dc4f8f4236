import type { RouteOptions } from 'fastify'
import type { Scope } from '../auth/scopes.js'
import {
  AuditServiceError, ForbiddenError, InternalError, MediaTypeError, QueueUnavailableError, RateLimitedError, RequestValidationError, ShuttingDownError, UnauthenticatedError
} from '../errors.js'
import { errorResponse, ErrorResponse, type ErrorAnswer, type ResponseHeader } from '../schemas/error.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route reads or writes Redis: it answers 503 with Retry-After while Redis is down. */
    redis?: boolean
  }
}

/** Messages of the auth plugin's 401s, shared so the examples are the answers sent. */
export const MISSING_KEY_MESSAGE = 'missing Authorization: Bearer <api key>'
export const INVALID_KEY_MESSAGE = 'the API key is not valid (unknown, malformed or revoked)'

const header = (type: ResponseHeader['type'], description: string, required = true): ResponseHeader => ({ type, description, required })

export const REQUEST_ID_HEADER = { 'x-request-id': header('string', 'The request\'s id, on every log line of it: the caller\'s `X-Request-Id` when it is a sane token, else a new UUID') }
export const CONTENT_DISPOSITION_HEADER = (required: boolean, what: string) => ({ 'content-disposition': header('string', `\`attachment\` with a file name for ${what}`, required) })
const WWW_AUTHENTICATE_HEADER = { 'www-authenticate': header('string', '`Bearer` (no key sent) or `Bearer error="invalid_token"`') }
const RATE_LIMIT_HEADERS = {
  'x-ratelimit-limit': header('integer', 'Requests the key (or, without a valid key, the client address) may make per window; sent once the request was counted (not with a 401)', false),
  'x-ratelimit-remaining': header('integer', 'Requests left in the current window', false),
  'x-ratelimit-reset': header('integer', 'Seconds until the window ends', false)
}

const BODY_TOO_LARGE: ErrorAnswer = { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', error: 'Payload Too Large', message: 'Request body is too large' }
const DEFAULT_RATE_LIMIT = new RateLimitedError('rate limit exceeded: 100000 requests per 60000 ms', 12)
const QUEUE_DOWN = new QueueUnavailableError('Redis did not answer within 3000 ms')
const hasBody = (method: string) => method === 'POST' || method === 'PUT' || method === 'PATCH'

interface SchemaObject { required?: string[], properties?: Record<string, unknown>, additionalProperties?: unknown }

/**
 * The 400 a request gets for the first thing its route checks: a body missing its first
 * required member, a query string missing its first required parameter or naming an unknown
 * one, a POST body that is not JSON. Ajv stops at the first error (allErrors: false).
 */
function badRequest (method: string, schema: RouteOptions['schema']): AuditServiceError | undefined {
  const body = schema?.body as SchemaObject | undefined
  if (body?.required?.[0] !== undefined) return new RequestValidationError([{ field: `/${body.required[0]}`, in: 'body', reason: 'required field is missing' }])
  const query = schema?.querystring as SchemaObject | undefined
  if (query?.required?.[0] !== undefined) return new RequestValidationError([{ field: `/${query.required[0]}`, in: 'querystring', reason: 'required field is missing' }])
  if (query !== undefined && query.additionalProperties === false) return new RequestValidationError([{ field: '/unexpected', in: 'querystring', reason: 'unknown field (not in the schema)' }])
  if (hasBody(method)) return new RequestValidationError([{ field: '', in: 'body', reason: 'body is not valid JSON (at character 1)' }])
  return undefined
}

type Responses = Record<string, unknown>

/**
 * The error responses that apply to a route by what it is, so no route can forget one: the
 * auth plugin's 401 and 403 and the rate limit's 429 on every keyed route, the validator's
 * 400 on any route that validates a request part or takes a body, the body parser's 413
 * and 415 on any route that takes a body, 503 on routes that need Redis or a key (an instance
 * that is closing refuses keyed requests), 500 everywhere.
 */
export function standardResponses (method: string, config: RouteOptions['config'], schema: RouteOptions['schema']): Responses {
  const keyed = config?.public !== true
  const scope = (config as { scope?: Scope } | undefined)?.scope
  const limited = keyed ? RATE_LIMIT_HEADERS : {}
  const out: Responses = {}
  const bad = badRequest(method, schema)
  if (bad !== undefined) out[400] = errorResponse('The request is invalid: `errors` names each bad field and why (`AUDIT_ERR_VALIDATION`)', bad)
  if (keyed) {
    out[401] = { ...errorResponse('No API key, or one that is unknown, malformed or revoked (`AUDIT_ERR_UNAUTHENTICATED`)', new UnauthenticatedError(MISSING_KEY_MESSAGE), new UnauthenticatedError(INVALID_KEY_MESSAGE)), headers: WWW_AUTHENTICATE_HEADER }
    out[403] = errorResponse(`The key lacks the \`${scope ?? 'needed'}\` scope (the \`admin\` scope includes the others), or names another tenant than its own (\`AUDIT_ERR_FORBIDDEN\`)`,
      new ForbiddenError(`this key lacks the ${scope ?? 'admin'} scope`), new ForbiddenError('this key belongs to tenant acme; it cannot act on tenant globex'))
    out[429] = errorResponse('A rate limit is used up: of the key (`RATE_LIMIT_MAX`), of the client address\'s failed requests (`RATE_LIMIT_IP_MAX`) or of exports and verifications (`OWN_ACCESS_MAX`) (`AUDIT_ERR_RATE_LIMITED`)', DEFAULT_RATE_LIMIT)
  }
  if (hasBody(method)) {
    out[413] = errorResponse('The body is over `BODY_LIMIT_BYTES` (`BATCH_BODY_LIMIT_BYTES` for a batch) (`FST_ERR_CTP_BODY_TOO_LARGE`)', BODY_TOO_LARGE)
    out[415] = errorResponse('The body is not `application/json` (`AUDIT_ERR_MEDIA_TYPE`)', new MediaTypeError('text/plain'))
  }
  out[500] = errorResponse('A fault of the service; the details are in its log, never in the answer (`AUDIT_ERR_INTERNAL`)', new InternalError())
  // A keyed request that reaches an instance already closing (on a connection still open).
  const closing = 'the instance is shutting down (`AUDIT_ERR_SHUTTING_DOWN`): send it to another instance'
  if (config?.redis === true) out[503] = errorResponse(`Redis cannot be reached (\`AUDIT_ERR_QUEUE_UNAVAILABLE\`): nothing was changed or recorded; or ${closing}`, QUEUE_DOWN, new ShuttingDownError())
  else if (keyed) out[503] = errorResponse(`The request was not started: ${closing}`, new ShuttingDownError())
  for (const status of Object.keys(out)) {
    const response = out[status] as { headers?: Record<string, ResponseHeader> }
    // A 401 is refused before the request is counted; a 403 for a missing scope too.
    const counted = status === '401' ? {} : limited
    out[status] = { ...response, headers: { ...REQUEST_ID_HEADER, ...counted, ...response.headers } }
  }
  return out
}

interface Described { $id?: string, description?: string, 'x-response-description'?: string, examples?: unknown[], headers?: Record<string, ResponseHeader> }

const isErrorResponse = (schema: unknown) => schema === ErrorResponse

/**
 * An `onRoute` hook: completes a route's `response` with the standard error responses and
 * the headers every answer carries. What the route declares itself wins (a 404 with its own
 * example, say); a bare `ErrorResponse` is replaced by the standard one. A documented route
 * whose response has no description fails to register: the document must say what it means.
 */
export function declareStandardResponses (route: RouteOptions): void {
  const schema = route.schema as (RouteOptions['schema'] & { hide?: boolean, response?: Responses }) | undefined
  if (schema === undefined || schema.hide === true || schema.response === undefined) return
  const method = Array.isArray(route.method) ? route.method[0]! : route.method
  const standard = standardResponses(method, route.config, schema)
  const keyed = route.config?.public !== true
  const response: Responses = { ...standard }
  for (const [status, declared] of Object.entries(schema.response)) {
    if (isErrorResponse(declared) && standard[status] !== undefined) continue
    // A shared component is copied without its $id (one schema per $id); the document links it back.
    const { $id: _id, ...given } = declared as Described
    if (given.description === undefined && given['x-response-description'] === undefined) {
      throw new Error(`${method} ${route.url}: response ${status} has no description (use described() or errorResponse())`)
    }
    const base = standard[status] as Described | undefined
    const counted = keyed && status !== '401' ? RATE_LIMIT_HEADERS : {}
    // The route's own examples of a standard error come after the standard ones.
    const examples = base?.examples !== undefined && given.examples !== undefined ? { examples: [...base.examples, ...given.examples] } : {}
    response[status] = { ...given, ...examples, headers: { ...REQUEST_ID_HEADER, ...counted, ...base?.headers, ...given.headers } }
  }
  route.schema = { ...schema, response }
}
