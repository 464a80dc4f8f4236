import type { CompactRange } from '../merkle/index.js'
import type { ParsedVerifierKey } from '../note/index.js'

/**
 * What went wrong: `content` (bytes not canonical, wrong tenant, hash does not
 * cover the bytes), `link` (prevHash is not the previous hash), `gap` (a seq
 * is missing), `order` (seq repeated, out of order, or not the record's own
 * seq), `root` (tree root differs from a signed checkpoint), `signature`
 * (checkpoint unsigned by a trusted key, malformed, or for another origin),
 * `truncated` (the log ends before a checkpoint or the expected end).
 */
export type VerifyErrorKind = 'content' | 'link' | 'gap' | 'order' | 'root' | 'signature' | 'truncated'

/** The first problem found; `seq` is the record (or checkpoint size) it concerns. */
export interface VerifyError {
  seq: number
  kind: VerifyErrorKind
  detail: string
}

/** Outcome of a verification run (snake_case: it is served as JSON as-is). */
export interface VerifyResult {
  valid: boolean
  /** Records that passed every check. */
  checked: number
  /** Last record that passed, with its chain hash in hex. */
  head: { seq: number; hash: string } | null
  first_error: VerifyError | null
  /** Checkpoints whose signature and root were both confirmed. */
  checkpoints_checked: number
}

/** One stored record, as read from storage. */
export interface VerifierRecord {
  seq: number
  /** RFC 8785 bytes that were hashed. */
  canonical: Buffer
  prevHash: Buffer
  hash: Buffer
  /** Set by the caller when its own extra check failed (e.g. a JSON copy differs from `canonical`). */
  contentMismatch?: string
}

/** Configuration of a {@link LogVerifier} run. */
export interface LogVerifierOptions {
  /** When set, every record's `tenant` field must equal it. */
  tenant?: string
  /** Expected checkpoint origin line. */
  origin: string
  /** Keys trusted to sign checkpoints. */
  verifiers: ParsedVerifierKey[]
  /** First seq to check; default 1. */
  startSeq?: number
  /** Chain hash of record startSeq - 1; default (and required value for startSeq 1) genesis. */
  prevHash?: Buffer
  /** Tree frontier after record startSeq - 1 (size startSeq - 1); default empty. */
  range?: CompactRange
  /** If set, the log must reach this seq, else `truncated`. */
  endSeq?: number
}

/** The `contentMismatch` of a record whose queryable jsonb copy is not what its canonical bytes say. */
export const JSONB_COPY_MISMATCH = 'the jsonb copy differs from the canonical bytes (queries would not show what was hashed)'
