import type { QueuedEvent } from '../core/chain/index.js'

/** The only job the queue carries: events to append, possibly for several tenants. */
export interface AppendJobData {
  events: QueuedEvent[]
  /** With JOB_HMAC_KEY: HMAC-SHA256 (base64) of `events` as JSON text (see job-mac.ts). */
  mac?: string
}

export const APPEND_JOB_NAME = 'append'

export interface AppendJobResult {
  stored: number
  duplicates: number
  conflicts: number
}
