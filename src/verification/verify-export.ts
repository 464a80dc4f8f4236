import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { canonicalJson } from '../core/json/index.js'
import { CompactRange } from '../core/merkle/index.js'
import { JSONB_COPY_MISMATCH, LogVerifier, type VerifyResult } from '../core/verify/index.js'
import type { ParsedVerifierKey } from '../core/note/index.js'
import { EXPORT_FORMAT, type ExportLine } from './export-format.js'

export interface VerifyExportOptions {
  verifiers: ParsedVerifierKey[]
  /** Pin the log's origin; by default the header's is used (and reported). */
  origin?: string
  onProgress?: (records: number) => void
}

export interface VerifyExportResult extends VerifyResult {
  tenant: string | null
  origin: string | null
}

const HEX_HASH = /^[0-9a-f]{64}$/

/**
 * Verifies an NDJSON export (see export-format.ts) trusting nothing but the verifier keys:
 * every hash, link, root and signature is recomputed from the file.
 */
export async function verifyExport (input: Readable, options: VerifyExportOptions): Promise<VerifyExportResult> {
  let verifier: LogVerifier | undefined
  let header: Extract<ExportLine, { type: 'header' }> | undefined
  let ended = false
  let records = 0
  const malformed = (lineNo: number, detail: string): VerifyExportResult => ({
    valid: false,
    checked: records,
    head: null,
    checkpoints_checked: 0,
    tenant: header?.tenant ?? null,
    origin: header?.origin ?? null,
    first_error: { seq: records + 1, kind: 'content', detail: `line ${lineNo}: ${detail}` }
  })

  let lineNo = 0
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    lineNo++
    if (text === '') continue
    let line: ExportLine
    try {
      line = JSON.parse(text) as ExportLine
    } catch {
      return malformed(lineNo, 'not JSON')
    }
    if (ended) return malformed(lineNo, 'data after the end trailer')
    if (verifier === undefined) {
      if (line.type !== 'header' || line.format !== EXPORT_FORMAT) return malformed(lineNo, `expected a ${EXPORT_FORMAT} header`)
      header = line
      const start = line.start
      if (line.from_seq > 1 && (start === null || !HEX_HASH.test(start.prev_hash) || !start.frontier.every(h => HEX_HASH.test(h)))) {
        return malformed(lineNo, 'an export from seq > 1 needs start.prev_hash and start.frontier')
      }
      verifier = new LogVerifier({
        tenant: line.tenant,
        origin: options.origin ?? line.origin,
        verifiers: options.verifiers,
        startSeq: line.from_seq,
        endSeq: line.to_seq,
        ...(start !== null && line.from_seq > 1 && {
          prevHash: Buffer.from(start.prev_hash, 'hex'),
          range: CompactRange.fromHashes(line.from_seq - 1, start.frontier.map(h => Buffer.from(h, 'hex')))
        })
      })
      continue
    }
    if (line.type === 'record') {
      if (!HEX_HASH.test(line.prev_hash) || !HEX_HASH.test(line.hash) || typeof line.canonical !== 'string') return malformed(lineNo, 'record line lacks canonical, prev_hash or hash')
      verifier.addRecord({
        seq: line.seq,
        canonical: Buffer.from(line.canonical, 'utf8'),
        prevHash: Buffer.from(line.prev_hash, 'hex'),
        hash: Buffer.from(line.hash, 'hex'),
        ...(!copyMatches(line) && { contentMismatch: JSONB_COPY_MISMATCH })
      })
      records++
      if (records % 10_000 === 0) options.onProgress?.(records)
      if (verifier.failed) break
    } else if (line.type === 'checkpoint') {
      verifier.addCheckpoint({ size: line.size, note: line.note })
    } else if (line.type === 'end') {
      ended = true
    } else {
      return malformed(lineNo, `unknown line type ${JSON.stringify((line as { type: unknown }).type)}`)
    }
  }
  if (verifier === undefined) return malformed(lineNo, 'empty file')
  const result = verifier.finish()
  if (result.valid && !ended) {
    return { ...result, valid: false, tenant: header!.tenant, origin: header!.origin, first_error: { seq: records + 1, kind: 'truncated', detail: 'the file has no end trailer: it was cut short' } }
  }
  return { ...result, tenant: header!.tenant, origin: options.origin ?? header!.origin }
}

function copyMatches (line: { canonical: string, record: unknown }): boolean {
  try {
    return canonicalJson(line.record) === line.canonical
  } catch {
    return false
  }
}
