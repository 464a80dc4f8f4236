import { createHmac, timingSafeEqual } from 'node:crypto'
import type { JobEvent } from './append-job.js'

/** Why the worker refuses a job without a valid MAC (the dead-letter reason). */
export const JOB_MAC_MISMATCH = 'job MAC does not match'

/**
 * HMAC-SHA256 of a job's events under JOB_HMAC_KEY, shared by API and worker, so that write
 * access to Redis alone cannot add events the log would then sign. One MAC per job, over the
 * events' JSON text: that is what BullMQ stores, and `JSON.stringify` of the parsed job gives
 * the same text back, so the worker recomputes it from what it received.
 */
export class JobMac {
  readonly #key: Buffer

  constructor (key: string) {
    this.#key = Buffer.from(key, 'utf8')
  }

  /** The MAC (base64) of events already serialized as `text`. */
  ofText (text: string): string {
    return createHmac('sha256', this.#key).update(DOMAIN).update(text, 'utf8').digest('base64')
  }

  of (events: readonly JobEvent[]): string {
    return this.ofText(JSON.stringify(events))
  }

  /** True when `mac` is the MAC of `events`; false for a missing or malformed one. */
  verify (events: unknown, mac: unknown): boolean {
    if (typeof mac !== 'string' || !Array.isArray(events)) return false
    const want = Buffer.from(this.of(events as JobEvent[]), 'base64')
    const got = Buffer.from(mac, 'base64')
    return got.length === want.length && timingSafeEqual(got, want)
  }
}

// Domain separation: this key's MACs mean "a job of audit-service events", nothing else.
const DOMAIN = 'audit-service append job v1\n'
