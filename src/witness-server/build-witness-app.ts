import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Witness } from './witness.js'

export interface WitnessAppOptions {
  witness: Witness
  /** pino options, a logger instance, or false (tests). */
  logger?: FastifyServerOptions['logger']
  loggerInstance?: FastifyServerOptions['loggerInstance']
  /** The tlog-witness submission prefix, e.g. `/witness` (default: none). */
  prefix?: string
  /** Bytes; a request is at most 63 proof lines and a checkpoint with its signatures. */
  bodyLimit?: number
}

// 63 proof lines are 2.8 KiB; a checkpoint with 100 signatures (openNote's cap) under 16 KiB.
const DEFAULT_BODY_LIMIT = 64 * 1024

/**
 * The tlog-witness HTTP API: `POST <prefix>/add-checkpoint` and `GET /health`. Builds, never
 * listens (`audit-service witness serve` does). Every answer is text; bad input is a 4xx with
 * one line saying why, never a 500.
 */
export async function buildWitnessApp (options: WitnessAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    ...(options.loggerInstance !== undefined ? { loggerInstance: options.loggerInstance } : { logger: options.logger ?? false }),
    // Keep-alive is what the spec asks clients to use; a stuck client must not hold a socket forever.
    requestTimeout: 30_000,
    return503OnClosing: true
  })
  // The body is text whatever the client calls it (the spec names no media type); JSON and
  // form parsers must not see it.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => { done(null, body) })

  app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500
    if (status === 500) request.log.error({ err }, 'witness fault')
    return reply.code(status).type('text/plain; charset=utf-8').send(status === 500 ? 'internal error\n' : `${err.message}\n`)
  })
  app.setNotFoundHandler((request, reply) => reply.code(404).type('text/plain; charset=utf-8').send(`no route ${request.method} ${request.url.split('?')[0] ?? ''}\n`))

  app.get('/health', async (_request, reply) => reply.type('text/plain; charset=utf-8').send('ok\n'))

  const prefix = options.prefix ?? ''
  app.post(`${prefix}/add-checkpoint`, async (request, reply) => {
    const body = typeof request.body === 'string' ? request.body : ''
    const answer = await options.witness.addCheckpoint(body)
    if (answer.refused !== undefined) {
      // A refusal for a known log with a valid signature may be evidence of a misbehaving log
      // (tlog-witness: the witness MAY log it): keep the note in the log line.
      const evidence = answer.status === 422 || (answer.status === 409 && !answer.contentType.startsWith('text/x.tlog.size'))
      request.log.warn({ origin: answer.origin, status: answer.status, reason: answer.refused, ...(evidence && { request: body }) }, 'add-checkpoint refused')
    } else {
      request.log.info({ origin: answer.origin }, 'add-checkpoint cosigned')
    }
    return reply.code(answer.status).type(answer.contentType).send(answer.body)
  })
  return app
}
