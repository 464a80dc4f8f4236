import type { PendingRecord, QueuedEvent } from '../core/chain/index.js'
import type { IngestItem } from '../ingest/prepare-event.js'

/**
 * One event in a job as the API writes it: the record already in canonical form (the bytes
 * the worker hashes, once `seq` is spliced in at `seqAt`) and the content digest.
 */
export interface CanonicalJobEvent {
  canonical: string
  seqAt?: number
  digest: string
}

/** One event in a job written by a version before the canonical form travelled: the record as an object. */
export interface RecordJobEvent {
  record: PendingRecord
  digest: string
}

export type JobEvent = CanonicalJobEvent | RecordJobEvent

/** The only job the queue carries: events to append, possibly for several tenants. */
export interface AppendJobData {
  events: JobEvent[]
  /** With JOB_HMAC_KEY: HMAC-SHA256 (base64) of `events` as JSON text (see job-mac.ts). */
  mac?: string
}

export const APPEND_JOB_NAME = 'append'

export interface AppendJobResult {
  stored: number
  duplicates: number
  conflicts: number
}

/** What a job carries of a prepared event. */
export function toJobEvent (item: IngestItem): CanonicalJobEvent {
  return item.seqAt === undefined
    ? { canonical: item.canonical, digest: item.digest }
    : { canonical: item.canonical, seqAt: item.seqAt, digest: item.digest }
}

/**
 * A job's events as the worker appends them. Jobs of either form may be in the queue while a
 * new version rolls out, so both are read.
 *
 * @throws {SyntaxError} when a canonical text is not JSON (such a job is refused for good).
 */
export function decodeJobEvent (event: JobEvent): QueuedEvent {
  if (!('canonical' in event)) return event
  const record = JSON.parse(event.canonical) as PendingRecord
  return event.seqAt === undefined
    ? { record, digest: event.digest, canonical: event.canonical }
    : { record, digest: event.digest, canonical: event.canonical, seqAt: event.seqAt }
}

/** Who and what an event of a job is about, for listing dead letters; never throws. */
export function describeJobEvent (event: JobEvent): { id: string, tenant: string, action: string } {
  let record: Partial<PendingRecord> | undefined
  try {
    record = 'canonical' in event ? JSON.parse(event.canonical) as PendingRecord : event.record
  } catch {
    record = undefined
  }
  return { id: String(record?.id ?? ''), tenant: String(record?.tenant ?? ''), action: String(record?.action ?? '') }
}
