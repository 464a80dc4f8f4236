import type { ParsedVerifierKey } from '../core/note/index.js'
import { receiptRecordMismatch } from './check-receipt-record.js'
import { ProofCheckError } from './proof-check-error.js'
import { openReceipt } from './receipt.js'

export interface VerifiedReceipt {
  origin: string
  id: string
  received_at: string
  record_sha256: string
  record_matches: boolean
}

/**
 * Verifies a receipt offline: signed by a trusted key, for the pinned origin, and (when a
 * record is given) issued for that record: same id and received_at, same tenant, and
 * SHA-256(JCS(record without seq)) equal to the signed digest.
 *
 * @throws {ProofCheckError} naming the first check that failed.
 */
export function verifyReceipt (note: string, options: { verifiers: readonly ParsedVerifierKey[], origin?: string, record?: Record<string, unknown> }): VerifiedReceipt {
  let receipt
  try {
    receipt = openReceipt(note, options.verifiers)
  } catch (err) {
    throw new ProofCheckError(`receipt: ${(err as Error).message}`, { cause: err })
  }
  if (options.origin !== undefined && receipt.origin !== options.origin) {
    throw new ProofCheckError(`receipt: origin ${JSON.stringify(receipt.origin)} is not ${JSON.stringify(options.origin)}`)
  }
  if (options.record !== undefined) {
    const mismatch = receiptRecordMismatch(receipt, options.record)
    if (mismatch !== undefined) throw new ProofCheckError(`receipt: ${mismatch}`)
  }
  return {
    origin: receipt.origin,
    id: receipt.id,
    received_at: receipt.receivedAt,
    record_sha256: receipt.recordSha256.toString('base64'),
    record_matches: options.record !== undefined
  }
}
