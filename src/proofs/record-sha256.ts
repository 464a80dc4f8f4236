import { createHash } from 'node:crypto'
import { canonicalJson } from '../core/json/index.js'

/**
 * The part of a record a receipt covers: the record without `seq`, which only the worker
 * knows. For a record the API enqueues this is the record itself; for a stored or exported
 * record it is that record with its `seq` member removed.
 */
export function receiptRecord (record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { seq: _seq, ...rest } = record
  return rest
}

/**
 * SHA-256 of the RFC 8785 canonical UTF-8 bytes of {@link receiptRecord}: the digest a
 * receipt signs (docs/hash-chain.md, "Receipts").
 *
 * @throws {CanonicalJsonError} when the record has no canonical form.
 */
export function recordSha256 (record: Readonly<Record<string, unknown>>): Buffer {
  return createHash('sha256').update(canonicalJson(receiptRecord(record)), 'utf8').digest()
}
