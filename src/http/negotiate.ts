import type { FastifyReply, FastifyRequest } from 'fastify'
import { NotAcceptableError } from '../errors.js'
import type { ResponseHeader } from '../schemas/error.js'
import { negotiateMediaType } from './negotiate-media-type.js'

/** The `Vary` response header of a route that negotiates, as its OpenAPI response declares it. */
export const VARY_ACCEPT: Record<string, ResponseHeader> = {
  vary: { type: 'string', description: '`Accept` when the media type was chosen by it (no `format` given): caches keep one answer per Accept', required: false }
}

/**
 * The media type a route answers `request` with, chosen by its Accept header among `offered`
 * (the default first), or a 406 naming `override`, the query parameter that chooses instead.
 * Marks the answer `Vary: Accept` first, the 406 or an error answer included: each depends
 * on Accept.
 */
export function negotiate<T extends string> (request: FastifyRequest, reply: FastifyReply, offered: readonly [T, ...T[]], override: string): T {
  const vary = reply.getHeader('vary')
  reply.header('vary', vary === undefined || vary === '' ? 'Accept' : `${String(vary)}, Accept`)
  const accept = request.headers.accept
  const chosen = negotiateMediaType(accept, offered)
  if (chosen === undefined) throw new NotAcceptableError(accept ?? '', offered, override)
  return chosen
}
