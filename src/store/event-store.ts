import type { QueuedEvent } from '../core/audit-record.js'

/** What happened to one event handed to {@link EventStore.append}. */
export type AppendOutcome =
  | { status: 'stored', seq: number }
  | { status: 'duplicate', seq: number }
  | { status: 'conflict', seq: number, reason: string }

export interface ChainHead {
  tenant: string
  size: number
  headHash: Buffer
  rootHash: Buffer
}

/**
 * Storage behind the chain appender. `append` adds events to one tenant's chain atomically:
 * all of them are linked and stored, or none is (the caller retries).
 */
export interface EventStore {
  append (tenant: string, events: QueuedEvent[]): Promise<AppendOutcome[]>
  head (tenant: string): Promise<ChainHead | undefined>
}
