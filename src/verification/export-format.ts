/**
 * The NDJSON export format (`audit-service-export/1`), one JSON object per line:
 *
 * 1. a header: `{ type: "header", format, tenant, origin, from_seq, to_seq, verifier_keys, start }`
 *    where `start` is null when from_seq is 1, else `{ prev_hash, frontier }` (hex), the chain
 *    hash of record from_seq - 1 and the Merkle frontier after it;
 * 2. for each record in seq order: `{ type: "record", seq, canonical, record, prev_hash, hash }`,
 *    where `canonical` is the exact RFC 8785 text that was hashed, `record` the queryable
 *    jsonb copy (a verifier checks it says the same) and the hashes are hex;
 * 3. each stored checkpoint right after the record whose seq equals its size (or right after
 *    the header when its size is from_seq - 1): `{ type: "checkpoint", size, note }`;
 * 4. a trailer `{ type: "end", records }`: a file without it was cut short.
 *
 * Everything in the file except the verifier key is untrusted by the verifier.
 */
export const EXPORT_FORMAT = 'audit-service-export/1'

export interface ExportHeader {
  type: 'header'
  format: typeof EXPORT_FORMAT
  tenant: string
  origin: string
  from_seq: number
  to_seq: number
  verifier_keys: string[]
  start: { prev_hash: string, frontier: string[] } | null
}

export interface ExportRecordLine {
  type: 'record'
  seq: number
  canonical: string
  record: unknown
  prev_hash: string
  hash: string
}

export interface ExportCheckpointLine {
  type: 'checkpoint'
  size: number
  note: string
}

export interface ExportEndLine {
  type: 'end'
  records: number
}

export type ExportLine = ExportHeader | ExportRecordLine | ExportCheckpointLine | ExportEndLine
