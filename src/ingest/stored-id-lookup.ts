/** An event already in the log, as the producer needs it to answer a repeat of its id. */
export interface StoredEvent {
  tenant: string
  id: string
  /** Content digest (hex), as the producer computes it. */
  digest: string
  received_at: string
  /** Base64 SHA-256 of the stored record without `seq`: what its receipt signs. */
  record_sha256: string
}

/**
 * Finds which of a flush's ids are already stored, in one round trip. The producer asks it
 * only about ids Redis does not remember, so a repeat after the idempotency key's lifetime (or
 * after Redis lost data) is answered from the stored record, not given a second receipt.
 */
export interface StoredIdLookup {
  find (events: ReadonlyArray<{ tenant: string, id: string }>): Promise<StoredEvent[]>
}
