import { canonicalBytes } from '../core/json/index.js'
import { leafHash, verifyInclusion } from '../core/merkle/index.js'
import type { ParsedVerifierKey } from '../core/note/index.js'
import { receiptRecordMismatch } from './check-receipt-record.js'
import { openCheckpoint } from './open-checkpoint.js'
import { ProofCheckError } from './proof-check-error.js'
import { openReceipt } from './receipt.js'
import { parseTlogProof } from './tlog-proof.js'

export interface VerifyTlogProofOptions {
  verifiers: readonly ParsedVerifierKey[]
  /** Pin the log: the checkpoint must be for this origin. */
  origin?: string
  /** The record the proof is for, when the proof carries none (or to check it is this one). */
  record?: Record<string, unknown>
  /** A receipt the record must match (proves an accepted event made it into the log). */
  receipt?: string
}

export interface VerifiedInclusion {
  origin: string
  id: unknown
  seq: number
  leaf_index: number
  tree_size: number
  root_hash: string
  verified_by: string[]
  receipt_matches: boolean
}

function parseRecordBytes (bytes: Buffer): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new ProofCheckError('the record in the proof (extra) is not JSON')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ProofCheckError('the record in the proof (extra) is not a JSON object')
  if (!canonicalBytes(parsed).equals(bytes)) throw new ProofCheckError('the record in the proof (extra) is not RFC 8785 canonical')
  return parsed as Record<string, unknown>
}

/**
 * Verifies a C2SP tlog-proof offline: the checkpoint's signature (and origin), then that
 * SHA-256(0x00 || c_n) is leaf `index` of the signed tree, where c_n is the canonical record
 * carried in `extra` or given as `options.record`. With a receipt, also that the record is
 * the one the receipt was issued for.
 *
 * @throws {ProofCheckError} naming the first check that failed.
 */
export function verifyTlogProof (text: string, options: VerifyTlogProofOptions): VerifiedInclusion {
  let proof
  try {
    proof = parseTlogProof(text)
  } catch (err) {
    throw new ProofCheckError((err as Error).message, { cause: err })
  }
  const checkpoint = openCheckpoint(proof.checkpoint, options.verifiers, options.origin)
  const seq = proof.index + 1

  let record: Record<string, unknown> | undefined
  let canonical: Buffer | undefined
  if (proof.extra !== undefined) {
    record = parseRecordBytes(proof.extra)
    canonical = proof.extra
  }
  if (options.record !== undefined) {
    const given = { ...options.record, seq: options.record.seq ?? seq }
    let bytes: Buffer
    try {
      bytes = canonicalBytes(given)
    } catch (err) {
      throw new ProofCheckError(`the record given has no canonical form: ${(err as Error).message}`)
    }
    if (canonical !== undefined && !bytes.equals(canonical)) throw new ProofCheckError('the record given is not the record in the proof')
    record = given
    canonical = bytes
  }
  if (record === undefined || canonical === undefined) throw new ProofCheckError('the proof carries no record (no extra line): give the record it is for')
  if (record.seq !== seq) throw new ProofCheckError(`the record has seq ${JSON.stringify(record.seq)}, the proof is for leaf index ${proof.index} (seq ${seq})`)
  if (typeof record.tenant !== 'string' || !checkpoint.origin.endsWith(`/${record.tenant}`)) {
    throw new ProofCheckError(`the record's tenant ${JSON.stringify(record.tenant)} is not the tenant of log ${JSON.stringify(checkpoint.origin)}`)
  }
  if (proof.index >= checkpoint.size) throw new ProofCheckError(`leaf index ${proof.index} is not in a tree of size ${checkpoint.size}`)
  if (!verifyInclusion(proof.index, checkpoint.size, leafHash(canonical), proof.proof, checkpoint.rootHash)) {
    throw new ProofCheckError(`inclusion proof does not lead from the record (leaf ${proof.index}) to the signed root of tree size ${checkpoint.size}`)
  }

  let receiptMatches = false
  if (options.receipt !== undefined) {
    let receipt
    try {
      receipt = openReceipt(options.receipt, options.verifiers)
    } catch (err) {
      throw new ProofCheckError(`receipt: ${(err as Error).message}`, { cause: err })
    }
    if (receipt.origin !== checkpoint.origin) throw new ProofCheckError(`receipt is for log ${JSON.stringify(receipt.origin)}, the proof for ${JSON.stringify(checkpoint.origin)}`)
    const mismatch = receiptRecordMismatch(receipt, record)
    if (mismatch !== undefined) throw new ProofCheckError(`receipt: ${mismatch}`)
    receiptMatches = true
  }
  return {
    origin: checkpoint.origin,
    id: record.id,
    seq,
    leaf_index: proof.index,
    tree_size: checkpoint.size,
    root_hash: checkpoint.rootHash.toString('base64'),
    verified_by: checkpoint.verifiedBy,
    receipt_matches: receiptMatches
  }
}
