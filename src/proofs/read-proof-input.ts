import { RECEIPT_V1_HEADER, RECEIPT_V2_HEADER } from './receipt.js'
import { TLOG_PROOF_HEADER } from './tlog-proof.js'

/** What `verify-proof` was given, recognised from its content. */
export type ProofInput =
  | { type: 'inclusion', tlogProof: string }
  | { type: 'receipt', receipt: string }
  | { type: 'consistency', document: unknown }

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * Recognises a tlog-proof, a receipt, or a consistency proof: as text, or as the JSON the
 * API answers with (`GET /audit-events/{id}/proof`, a 202 answer, `GET /proofs/consistency`).
 * Returns undefined when it is none of them.
 */
export function readProofInput (text: string): ProofInput | undefined {
  if (text.startsWith(TLOG_PROOF_HEADER + '\n')) return { type: 'inclusion', tlogProof: text }
  if (text.startsWith(RECEIPT_V1_HEADER + '\n') || text.startsWith(RECEIPT_V2_HEADER + '\n')) return { type: 'receipt', receipt: text }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isObject(json)) return undefined
  if (typeof json.tlog_proof === 'string') return { type: 'inclusion', tlogProof: json.tlog_proof }
  if (typeof json.receipt === 'string') return { type: 'receipt', receipt: json.receipt }
  if (Array.isArray(json.proof) && 'from' in json && 'to' in json) return { type: 'consistency', document: json }
  return undefined
}

/**
 * A record from a file: the record object itself (stored, exported or as enqueued), an export
 * `record` line (its `canonical` text is used), or an API answer with the record under `record`.
 */
export function readRecordInput (text: string): Record<string, unknown> | undefined {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isObject(json)) return undefined
  if (typeof json.canonical === 'string') {
    try {
      const inner: unknown = JSON.parse(json.canonical)
      return isObject(inner) ? inner : undefined
    } catch {
      return undefined
    }
  }
  if (json.v === undefined && isObject(json.record)) return json.record
  return json
}

/** A signed note from a file: the note text, or JSON carrying it as `note`, `receipt` or `checkpoint`. */
export function readNoteInput (text: string): string {
  if (!text.trimStart().startsWith('{')) return text
  try {
    const json: unknown = JSON.parse(text)
    if (isObject(json)) {
      for (const key of ['note', 'receipt', 'checkpoint']) {
        const value = json[key]
        if (typeof value === 'string') return value
      }
    }
  } catch {}
  return text
}
