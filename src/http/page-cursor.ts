import { createHash } from 'node:crypto'
import { RequestValidationError } from '../errors.js'

/** What a page cursor carries: where the last page stopped, bound to the query it came from. */
interface Cursor {
  seq: number
  order: 'asc' | 'desc'
  query: string
}

/** A short fingerprint of the filters, so a cursor cannot be replayed against another query. */
export function queryFingerprint (filters: Record<string, unknown>): string {
  const entries = Object.entries(filters).filter(([k, v]) => v !== undefined && k !== 'cursor' && k !== 'limit').sort(([a], [b]) => a < b ? -1 : 1)
  return createHash('sha256').update(JSON.stringify(entries)).digest('base64url').slice(0, 12)
}

export function encodeCursor (cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.seq, cursor.order, cursor.query])).toString('base64url')
}

export function decodeCursor (value: string, expected: { order: 'asc' | 'desc', query: string }): number {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'))
  } catch {
    parsed = undefined
  }
  if (!Array.isArray(parsed) || !Number.isSafeInteger(parsed[0]) || parsed[1] !== expected.order || parsed[2] !== expected.query) {
    throw new RequestValidationError([{ field: '/cursor', in: 'querystring', reason: 'not a cursor of this query (filters and order must stay the same between pages)' }])
  }
  return parsed[0] as number
}
