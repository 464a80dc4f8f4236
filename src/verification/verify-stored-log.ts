import { LogVerifier, type VerifyResult } from '../core/log-verifier.js'
import type { ParsedVerifierKey } from '../core/signed-note.js'
import type { PgLogReader } from '../store/pg-log-reader.js'

export interface VerifyStoredLogOptions {
  tenant: string
  origin: string
  verifiers: ParsedVerifierKey[]
  fromSeq?: number
  /** Default: the chain head's size, so a log cut short of its head is caught. */
  toSeq?: number
}

/**
 * Recomputes a stored log (bytes, jsonb copy, chain, tree) against the signed checkpoints.
 * Pages through the rows, so memory stays constant.
 */
export async function verifyStoredLog (reader: PgLogReader, options: VerifyStoredLogOptions): Promise<VerifyResult> {
  const { tenant } = options
  const fromSeq = options.fromSeq ?? 1
  const headSize = await reader.headSize(tenant)
  const toSeq = options.toSeq ?? headSize
  let start: { prevHash: Buffer, range: import('../core/merkle.js').CompactRange } | undefined
  if (fromSeq > 1) {
    start = await reader.stateAfter(tenant, fromSeq - 1)
    if (start === undefined) {
      return { valid: false, checked: 0, head: null, checkpoints_checked: 0, first_error: { seq: fromSeq - 1, kind: 'gap', detail: `record ${fromSeq - 1} (the start of the range) is missing` } }
    }
  }
  const verifier = new LogVerifier({
    tenant,
    origin: options.origin,
    verifiers: options.verifiers,
    startSeq: fromSeq,
    ...(start && { prevHash: start.prevHash, range: start.range }),
    endSeq: toSeq
  })
  // Checkpoints are few (one per interval): all of the window's are handed over up front.
  const checkpointsTo = options.toSeq ?? Number.MAX_SAFE_INTEGER
  for (const checkpoint of await reader.checkpoints(tenant, fromSeq - 1, checkpointsTo)) verifier.addCheckpoint(checkpoint)
  for await (const page of reader.records(tenant, fromSeq, toSeq)) {
    if (verifier.failed) break
    for (const row of page) {
      verifier.addRecord({
        seq: row.seq,
        canonical: row.canonical,
        prevHash: row.prev_hash,
        hash: row.hash,
        ...(!row.json_ok && { contentMismatch: 'the jsonb copy differs from the canonical bytes (queries would not show what was hashed)' })
      })
    }
  }
  return verifier.finish()
}
