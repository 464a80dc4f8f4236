/** Format version of stored records; part of every hashed record (`v`). */
export const RECORD_VERSION = 1

/** Fields the server adds to every event before it is hashed (see docs/hash-chain.md). */
export interface ServerFields {
  id: string
  tenant: string
  received_at: string
  redactions: string[]
}

/** A record as the API enqueues it: everything but `seq`, which only the chain appender knows. */
export type PendingRecord = Record<string, unknown> & ServerFields & { v: number }

/** A stored record: the pending record plus its position in the tenant's chain. */
export type AuditRecord = PendingRecord & { seq: number }

/**
 * Builds the record that will be hashed: the scrubbed event plus the server's fields.
 * Server fields win over anything of the same name in the event.
 */
export function buildPendingRecord (event: Record<string, unknown>, server: ServerFields): PendingRecord {
  return { ...event, v: RECORD_VERSION, ...server }
}

/** What travels through the queue: the record to append and its content digest. */
export interface QueuedEvent {
  record: PendingRecord
  /**
   * Hex SHA-256 over the canonical form of the event as the producer sent it (after
   * scrubbing, with its `id` and `tenant`): two deliveries of the same event, received at different times and under different request
   * ids, have the same digest. It decides whether a repeated `id` is a harmless duplicate or
   * a conflicting rewrite; it is not part of the hash chain.
   */
  digest: string
  /**
   * The record in canonical form as the API wrote it (without `seq`), and where the member
   * `"seq":N` goes in it: the worker splices it in rather than serializing the record again
   * (see `canonicalAt`). Absent in jobs of earlier versions.
   */
  canonical?: string
  seqAt?: number
}

/** The record at its chain position, as hashed and stored. */
export function recordAt (pending: PendingRecord, seq: number): AuditRecord {
  return { ...pending, seq }
}
