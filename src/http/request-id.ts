import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { scrubSecrets } from '../ingest/scrub-secrets.js'

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * Uses the caller's `x-request-id` when it is a sane token; anything else gets a new id. A
 * request id is on every log line of the request, so one that looks like a secret (an AWS
 * key id fits the token syntax) is replaced too, as the scrubber would replace it in a record.
 */
export function genReqId (req: IncomingMessage): string {
  const header = req.headers['x-request-id']
  if (typeof header === 'string' && VALID_REQUEST_ID.test(header) && scrubSecrets(header).redactions.length === 0) return header
  return randomUUID()
}
