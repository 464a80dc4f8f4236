import { isUtf8 } from 'node:buffer'
import { canonicalJson, isCanonicalRecord } from '../json/index.js'
import type { VerifierRecord, VerifyErrorKind } from './log-verifier-types.js'

/** A failed check, before it is pinned to a seq. */
export interface RecordProblem {
  kind: VerifyErrorKind
  detail: string
}

/**
 * Checks what a record's bytes say about themselves: canonical RFC 8785 JSON
 * of an object whose `seq` (and `tenant`, if given) match the row. Returns
 * null when fine.
 */
export function checkRecordContent (r: VerifierRecord, tenant: string | undefined): RecordProblem | null {
  // Bytes that are not UTF-8 would decode to U+FFFD and could re-encode to a string that
  // looks canonical: refused first, then the text is compared with its canonical form.
  if (!isUtf8(r.canonical)) return { kind: 'content', detail: 'canonical bytes are not UTF-8, so not valid JSON' }
  const text = r.canonical.toString('utf8')
  // The common case, proven without building the record; anything else takes the full path
  // below, which names the problem.
  if (r.contentMismatch === undefined && isCanonicalRecord(text, r.seq, tenant)) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return { kind: 'content', detail: 'canonical bytes are not valid JSON' }
  }
  let again: string
  try {
    again = canonicalJson(parsed)
  } catch {
    return { kind: 'content', detail: 'record has no canonical JSON form' }
  }
  if (again !== text) return { kind: 'content', detail: 'bytes are not RFC 8785 canonical' }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { kind: 'content', detail: 'record is not a JSON object' }
  }
  const rec = parsed as Record<string, unknown>
  if (rec['seq'] !== r.seq) {
    return { kind: 'order', detail: `record content has seq ${JSON.stringify(rec['seq'])} but is stored at seq ${r.seq}` }
  }
  if (tenant !== undefined && rec['tenant'] !== tenant) {
    return { kind: 'content', detail: `record tenant ${JSON.stringify(rec['tenant'])} is not ${JSON.stringify(tenant)}` }
  }
  if (r.contentMismatch !== undefined) return { kind: 'content', detail: r.contentMismatch }
  return null
}
