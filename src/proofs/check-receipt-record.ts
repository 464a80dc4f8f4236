import { recordSha256 } from './record-sha256.js'
import type { Receipt } from './receipt.js'

/**
 * Whether `record` (stored, exported or as enqueued: with or without `seq`) is the record a
 * receipt was given for. Returns the first mismatch, or undefined when it matches.
 */
export function receiptRecordMismatch (receipt: Receipt, record: Readonly<Record<string, unknown>>): string | undefined {
  if (record.id !== receipt.id) return `record id ${JSON.stringify(record.id)} is not the receipt's ${JSON.stringify(receipt.id)}`
  if (record.received_at !== receipt.receivedAt) return `record received_at ${JSON.stringify(record.received_at)} is not the receipt's ${JSON.stringify(receipt.receivedAt)}`
  if (typeof record.tenant !== 'string' || !receipt.origin.endsWith(`/${record.tenant}`)) {
    return `record tenant ${JSON.stringify(record.tenant)} is not the tenant of the receipt's log ${JSON.stringify(receipt.origin)}`
  }
  let digest: Buffer
  try {
    digest = recordSha256(record)
  } catch (err) {
    return `record has no canonical form: ${(err as Error).message}`
  }
  if (!digest.equals(receipt.recordSha256)) {
    return `SHA-256 of the record without seq is ${digest.toString('base64')}, the receipt signed ${receipt.recordSha256.toString('base64')}: the content differs`
  }
  return undefined
}
