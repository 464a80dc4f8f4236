import type { QueuedEvent } from '../core/audit-record.js'

/** The only job the queue carries: events to append, possibly for several tenants. */
export interface AppendJobData {
  events: QueuedEvent[]
}

export const APPEND_JOB_NAME = 'append'

export interface AppendJobResult {
  stored: number
  duplicates: number
  conflicts: number
}
