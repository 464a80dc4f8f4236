import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/** Uses the caller's `x-request-id` when it is a sane token; anything else gets a new id. */
export function genReqId (req: IncomingMessage): string {
  const header = req.headers['x-request-id']
  if (typeof header === 'string' && VALID_REQUEST_ID.test(header)) return header
  return randomUUID()
}
