import { LogVerifier, type VerifyResult } from '../core/verify/index.js'
import type { ParsedVerifierKey } from '../core/note/index.js'
import { eventLoopYielder } from './event-loop-yielder.js'
import { verifierRecord, type PgLogReader } from '../store/pg-log-reader.js'
import { CheckpointCursor } from './checkpoint-cursor.js'

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
  let start: { prevHash: Buffer, range: import('../core/merkle/index.js').CompactRange } | undefined
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
  // Checkpoints come with the rows, in size order: each is handed over when the log reaches
  // its size (where its root is compared), so neither memory nor a single turn of the event
  // loop grows with their number. Beyond toSeq (none given) one more is enough to show a cut tail.
  const checkpoints = new CheckpointCursor(reader.checkpoints(tenant, fromSeq - 1, options.toSeq ?? Number.MAX_SAFE_INTEGER))
  const { pause, close: leave } = eventLoopYielder()
  const feedCheckpoints = async (upTo: number): Promise<void> => {
    for (let c = await checkpoints.nextUpTo(upTo); c !== undefined; c = await checkpoints.nextUpTo(upTo)) {
      verifier.addCheckpoint(c)
      const turn = pause()
      if (turn !== undefined) await turn
    }
  }
  try {
    await feedCheckpoints(fromSeq - 1)
    for await (const page of reader.records(tenant, fromSeq, toSeq)) {
      for (const row of page) {
        if (verifier.failed) break
        verifier.addRecord(verifierRecord(row))
        if (checkpoints.nextSize !== undefined && checkpoints.nextSize <= row.seq) await feedCheckpoints(row.seq)
        const turn = pause()
        if (turn !== undefined) await turn
      }
      if (verifier.failed) break
    }
    if (!verifier.failed) {
      const next = await checkpoints.nextUpTo(Number.MAX_SAFE_INTEGER)
      if (next !== undefined) verifier.addCheckpoint(next)
    }
  } finally {
    leave()
    await checkpoints.close()
  }
  return verifier.finish()
}
