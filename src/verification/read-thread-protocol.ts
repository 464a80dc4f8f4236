import type { VerifyResult } from '../core/verify/index.js'

/** What a read thread is started with: its own small pool to the read database. */
export interface ReadThreadData {
  connectionString: string
  poolMax: number
  connectionTimeoutMillis: number
}

/** One whole-log read, as the routes describe it; verifier keys travel as text and are parsed in the thread. */
export interface ReadJobOptions {
  tenant: string
  origin: string
  verifierKeys: string[]
  fromSeq?: number
  toSeq?: number
}

export type ToReadThread =
  | { type: 'verify', options: ReadJobOptions }
  | { type: 'export', options: ReadJobOptions }
  /** The main thread wants the next chunk of the export (its socket has room). */
  | { type: 'more' }
  /** The client went away: stop the export and say `end`. */
  | { type: 'cancel' }
  /** Close the pool and exit. */
  | { type: 'close' }

export interface ReadThreadFailure {
  message: string
  code?: string
  statusCode?: number
}

export type FromReadThread =
  | { type: 'result', result: VerifyResult }
  /** UTF-8 NDJSON; its buffer is transferred. */
  | { type: 'chunk', bytes: Uint8Array }
  | { type: 'end' }
  | { type: 'error', error: ReadThreadFailure }
