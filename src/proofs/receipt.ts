import { decodeBase64 } from '../core/decode-base64.js'
import { openNote, type ParsedVerifierKey } from '../core/signed-note.js'

/** First line of every receipt; a checkpoint can never start like this (origins have no spaces). */
export const RECEIPT_HEADER = 'audit-service receipt v1'

/** What a receipt says: the log accepted this record (docs/hash-chain.md, "Receipts"). */
export interface Receipt {
  /** The tenant's log: `<LOG_ORIGIN>/<tenant>`, as in its checkpoints. */
  origin: string
  id: string
  receivedAt: string
  /** SHA-256 of the canonical record without `seq`. */
  recordSha256: Buffer
}

export class ReceiptFormatError extends Error {
  readonly code = 'AUDIT_ERR_RECEIPT'
  constructor (message: string) {
    super(message)
    this.name = 'ReceiptFormatError'
  }
}

const FIELD = /^[\x21-\x7e]{1,256}$/

/**
 * The signed text of a receipt:
 * `audit-service receipt v1\n<origin>\n<id>\n<received_at>\n<base64 sha256>\n`.
 *
 * @throws {ReceiptFormatError} when a field is empty, too long, has spaces or non-ASCII, or
 *   the digest is not 32 bytes.
 */
export function formatReceipt (r: Receipt): string {
  for (const [name, value] of [['origin', r.origin], ['id', r.id], ['received_at', r.receivedAt]] as const) {
    if (typeof value !== 'string' || !FIELD.test(value)) throw new ReceiptFormatError(`receipt ${name} must be 1 to 256 printable ASCII characters without spaces`)
  }
  if (!(r.recordSha256 instanceof Uint8Array) || r.recordSha256.length !== 32) throw new ReceiptFormatError('receipt digest must be 32 bytes')
  return `${RECEIPT_HEADER}\n${r.origin}\n${r.id}\n${r.receivedAt}\n${Buffer.from(r.recordSha256).toString('base64')}\n`
}

/**
 * Strictly parses receipt text (the signed part of the note, as `openNote` returns it): exactly
 * the five lines {@link formatReceipt} writes, so one receipt has one textual form.
 *
 * @throws {ReceiptFormatError}
 */
export function parseReceipt (text: string): Receipt {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw new ReceiptFormatError('receipt must end with a newline')
  const lines = text.slice(0, -1).split('\n')
  const [header, origin, id, receivedAt, digest] = lines
  if (header !== RECEIPT_HEADER) throw new ReceiptFormatError(`not a receipt: the first line must be ${JSON.stringify(RECEIPT_HEADER)}`)
  if (lines.length !== 5 || origin === undefined || id === undefined || receivedAt === undefined || digest === undefined) {
    throw new ReceiptFormatError('a receipt has exactly five lines: header, origin, id, received_at, sha256')
  }
  const recordSha256 = decodeBase64(digest)
  if (recordSha256 === null || recordSha256.length !== 32) throw new ReceiptFormatError('receipt digest must be base64 of 32 bytes')
  const receipt = { origin, id, receivedAt, recordSha256 }
  formatReceipt(receipt) // the same field rules as when writing
  return receipt
}

/**
 * Verifies a receipt note with trusted verifier keys and returns what it says.
 *
 * @throws {NoteVerificationError} when no trusted key signed it or a signature fails.
 * @throws {ReceiptFormatError} when the signed text is not a receipt.
 */
export function openReceipt (note: string, verifiers: readonly ParsedVerifierKey[]): Receipt {
  return parseReceipt(openNote(note, verifiers).text)
}
