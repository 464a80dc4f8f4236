import { decodeBase64, openNote, NoteVerificationError, type ParsedVerifierKey } from '../core/note/index.js'
import { leafHash, verifyInclusion, inclusionPathLength } from '../core/merkle/index.js'

/** First line of a v1 receipt (one signed note per event; still verified, no longer issued). */
export const RECEIPT_V1_HEADER = 'audit-service receipt v1'
/** First line of a v2 receipt, and of the five lines hashed into its batch leaf. */
export const RECEIPT_V2_HEADER = 'audit-service receipt v2'
/** First line of the signed note closing a v2 receipt (over a batch root). */
export const RECEIPT_BATCH_HEADER = 'audit-service receipt batch v2'
// One key signs checkpoints, v1 receipts and v2 batch notes; none can be passed off as another
// (docs/hash-chain.md, "Receipts"): their first lines differ and have spaces (an origin has
// none), and neither receipt text has a decimal tree size as its second line.

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

type ReceiptLinesHeader = typeof RECEIPT_V1_HEADER | typeof RECEIPT_V2_HEADER

const FIELD = /^[\x21-\x7e]{1,256}$/

/** True when `value` can be a receipt's origin, id or received_at line: 1 to 256 printable ASCII characters, no spaces. */
export function isReceiptField (value: unknown): value is string {
  return typeof value === 'string' && FIELD.test(value)
}

// Leaf index and batch size: decimal without leading zeros, below 2^53.
const POSITION = /^(0|[1-9][0-9]{0,15}) ([1-9][0-9]{0,15})$/

/**
 * The five receipt lines:
 * `<header>\n<origin>\n<id>\n<received_at>\n<base64 sha256>\n`. In v1 they are the signed text;
 * in v2 (`header` = {@link RECEIPT_V2_HEADER}) they are the data of the event's batch leaf.
 *
 * @throws {ReceiptFormatError} when a field is empty, too long, has spaces or non-ASCII, or
 *   the digest is not 32 bytes.
 */
export function formatReceipt (r: Receipt, header: ReceiptLinesHeader = RECEIPT_V1_HEADER): string {
  for (const [name, value] of [['origin', r.origin], ['id', r.id], ['received_at', r.receivedAt]] as const) {
    if (!isReceiptField(value)) throw new ReceiptFormatError(`receipt ${name} must be 1 to 256 printable ASCII characters without spaces`)
  }
  if (!(r.recordSha256 instanceof Uint8Array) || r.recordSha256.length !== 32) throw new ReceiptFormatError('receipt digest must be 32 bytes')
  return `${header}\n${r.origin}\n${r.id}\n${r.receivedAt}\n${Buffer.from(r.recordSha256).toString('base64')}\n`
}

/**
 * The signed text of a v2 receipt's note: `audit-service receipt batch v2\n<size> <base64 root>\n`.
 * Two lines, the second not a decimal: no checkpoint parser can read it as a checkpoint (three
 * lines or more, the second a tree size), so a batch note never passes for a signed tree head.
 */
export function formatReceiptBatch (size: number, root: Uint8Array): string {
  return `${RECEIPT_BATCH_HEADER}\n${size} ${Buffer.from(root).toString('base64')}\n`
}

function parseFields (lines: readonly string[], header: ReceiptLinesHeader): Receipt {
  const [, origin, id, receivedAt, digest] = lines
  if (lines.length !== 5 || origin === undefined || id === undefined || receivedAt === undefined || digest === undefined) {
    throw new ReceiptFormatError('a receipt has exactly five lines: header, origin, id, received_at, sha256')
  }
  const recordSha256 = decodeBase64(digest)
  if (recordSha256 === null || recordSha256.length !== 32) throw new ReceiptFormatError('receipt digest must be base64 of 32 bytes')
  const receipt = { origin, id, receivedAt, recordSha256 }
  formatReceipt(receipt, header) // the same field rules as when writing
  return receipt
}

/**
 * Strictly parses v1 receipt text (the signed part of the note, as `openNote` returns it):
 * exactly the five lines {@link formatReceipt} writes, so one receipt has one textual form.
 *
 * @throws {ReceiptFormatError}
 */
export function parseReceipt (text: string): Receipt {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw new ReceiptFormatError('receipt must end with a newline')
  const lines = text.slice(0, -1).split('\n')
  if (lines[0] !== RECEIPT_V1_HEADER) throw new ReceiptFormatError(`not a receipt: the first line must be ${JSON.stringify(RECEIPT_V1_HEADER)} or ${JSON.stringify(RECEIPT_V2_HEADER)}`)
  return parseFields(lines, RECEIPT_V1_HEADER)
}

/** A v2 receipt taken apart, nothing verified yet (see {@link parseReceiptV2}). */
export interface ReceiptV2Parts {
  receipt: Receipt
  /** The five lines, header included: the leaf data. */
  leafText: string
  index: number
  size: number
  path: Buffer[]
  /** The signed note over the batch root, as it followed the blank line. */
  note: string
}

/**
 * Strictly splits a v2 receipt: five lines, `<index> <size>`, exactly the number of path hashes
 * RFC 6962 gives leaf `index` in a tree of `size`, a blank line, then the signed note. Checks
 * neither the path nor the signature ({@link openReceipt} does).
 *
 * @throws {ReceiptFormatError}
 */
export function parseReceiptV2 (text: string): ReceiptV2Parts {
  if (typeof text !== 'string') throw new ReceiptFormatError('receipt must be a string')
  let pos = 0
  const nextLine = (what: string): string => {
    const end = text.indexOf('\n', pos)
    if (end < 0) throw new ReceiptFormatError(`receipt v2 ends before its ${what}`)
    const line = text.slice(pos, end)
    pos = end + 1
    return line
  }
  const lines = ['header', 'origin', 'id', 'received_at', 'sha256'].map(what => nextLine(what))
  if (lines[0] !== RECEIPT_V2_HEADER) throw new ReceiptFormatError(`not a receipt v2: the first line must be ${JSON.stringify(RECEIPT_V2_HEADER)}`)
  const receipt = parseFields(lines, RECEIPT_V2_HEADER)
  const leafText = text.slice(0, pos)

  const position = POSITION.exec(nextLine('"<leaf index> <batch size>" line'))
  if (position === null) throw new ReceiptFormatError('receipt v2 line 6 must be "<leaf index> <batch size>": decimal, no leading zeros, size at least 1')
  const index = Number(position[1])
  const size = Number(position[2])
  if (!Number.isSafeInteger(size)) throw new ReceiptFormatError('receipt batch size is too large')
  if (index >= size) throw new ReceiptFormatError(`receipt leaf index ${index} is not in a batch of size ${size}`)

  const want = inclusionPathLength(index, size)
  const path: Buffer[] = []
  for (;;) {
    const line = nextLine('blank line and signed note')
    if (line === '') break
    const hash = decodeBase64(line)
    if (hash === null || hash.length !== 32) throw new ReceiptFormatError('receipt inclusion path hashes must be base64 of 32 bytes, followed by a blank line')
    path.push(hash)
    if (path.length > want) throw new ReceiptFormatError(`receipt inclusion path has more than ${want} hashes; leaf ${index} of a batch of ${size} needs exactly ${want}`)
  }
  if (path.length !== want) throw new ReceiptFormatError(`receipt inclusion path has ${path.length} hashes; leaf ${index} of a batch of ${size} needs exactly ${want}`)
  return { receipt, leafText, index, size, path, note: text.slice(pos) }
}

function openReceiptV2 (text: string, verifiers: readonly ParsedVerifierKey[]): Receipt {
  const parts = parseReceiptV2(text)
  const signed = openNote(parts.note, verifiers).text
  const lines = signed.slice(0, -1).split('\n')
  const batch = lines[1]?.split(' ')
  if (lines.length !== 2 || lines[0] !== RECEIPT_BATCH_HEADER || batch?.length !== 2) {
    throw new ReceiptFormatError(`the note of a receipt v2 must sign exactly two lines: ${JSON.stringify(RECEIPT_BATCH_HEADER)}, then "<batch size> <root>"`)
  }
  if (batch[0] !== String(parts.size)) throw new ReceiptFormatError(`the signed batch size ${JSON.stringify(batch[0])} is not the receipt's ${parts.size}`)
  const root = decodeBase64(batch[1]!)
  if (root === null || root.length !== 32) throw new ReceiptFormatError('the signed batch root must be base64 of 32 bytes')
  if (!verifyInclusion(parts.index, parts.size, leafHash(Buffer.from(parts.leafText, 'utf8')), parts.path, root)) {
    // The signature covers the root only: lines that do not hash up to it are not what was signed.
    throw new NoteVerificationError('bad-signature', `receipt inclusion path does not lead to the signed root: the receipt lines, leaf index ${parts.index} or path are not what the log signed`)
  }
  return parts.receipt
}

/**
 * Verifies a receipt (v1: a signed note over the five lines; v2: the five lines, their
 * inclusion path in a batch tree, and a signed note over the batch root) with trusted verifier
 * keys and returns what it says.
 *
 * @throws {NoteVerificationError} when no trusted key signed it, a signature fails, or (v2) the
 *   lines do not hash up to the signed root.
 * @throws {ReceiptFormatError} when it is not a receipt in one of the two exact forms.
 */
export function openReceipt (note: string, verifiers: readonly ParsedVerifierKey[]): Receipt {
  if (typeof note === 'string' && note.startsWith(RECEIPT_V2_HEADER + '\n')) return openReceiptV2(note, verifiers)
  return parseReceipt(openNote(note, verifiers).text)
}
