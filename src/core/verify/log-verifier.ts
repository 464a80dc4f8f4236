import { chainHash, GENESIS_HASH } from '../chain/index.js'
import { checkRecordContent, type RecordProblem } from './check-record-content.js'
import { CheckpointQueue } from './checkpoint-queue.js'
import { CompactRange, leafHash } from '../merkle/index.js'
import type { LogVerifierOptions, VerifierRecord, VerifyError, VerifyErrorKind, VerifyResult } from './log-verifier-types.js'
import type { ParsedVerifierKey } from '../note/index.js'
import { readCheckpointNote, type TrustedCheckpoint } from './read-checkpoint-note.js'

export type { LogVerifierOptions, VerifierRecord, VerifyError, VerifyErrorKind, VerifyResult } from './log-verifier-types.js'

/** A checkpoint waiting for the log to reach its size; a bad one reports when reached. */
type Pending = { size: number } & ({ root: Buffer; problem?: never } | { root?: never; problem: RecordProblem })

/**
 * Streaming, constant-memory log verifier, shared by the HTTP `/verify`
 * endpoint and the offline CLI. Feed records in seq order and checkpoints
 * before (or exactly when) the log reaches their size, then call `finish()`.
 * Memory is O(log n) for the tree frontier plus the pending checkpoints.
 *
 * Checking stops at the first error. A checkpoint added after its size was
 * passed can only have its signature checked (its root is gone from the
 * frontier); one below `startSeq - 1` is outside the window and ignored.
 */
export class LogVerifier {
  readonly #tenant: string | undefined
  readonly #origin: string
  readonly #verifiers: readonly ParsedVerifierKey[]
  readonly #endSeq: number | undefined
  readonly #range: CompactRange
  readonly #pending = new CheckpointQueue<Pending>()
  readonly #windowStart: number
  #prevHash: Buffer
  #nextSeq: number
  #checked = 0
  #checkpointsChecked = 0
  #error: VerifyError | null = null

  /** @throws {RangeError} when startSeq, prevHash and range disagree. */
  constructor (opts: LogVerifierOptions) {
    const startSeq = opts.startSeq ?? 1
    if (!Number.isSafeInteger(startSeq) || startSeq < 1) throw new RangeError(`startSeq must be >= 1, got ${startSeq}`)
    if (startSeq > 1 && (opts.prevHash === undefined || opts.range === undefined)) {
      throw new RangeError('startSeq > 1 needs the prevHash and range of record startSeq - 1')
    }
    if (opts.prevHash !== undefined && opts.prevHash.length !== 32) throw new RangeError('prevHash must be 32 bytes')
    this.#range = opts.range?.clone() ?? CompactRange.empty()
    if (this.#range.size !== startSeq - 1) {
      throw new RangeError(`range has size ${this.#range.size}, expected ${startSeq - 1}`)
    }
    this.#tenant = opts.tenant
    this.#origin = opts.origin
    this.#verifiers = opts.verifiers
    this.#endSeq = opts.endSeq
    this.#prevHash = Buffer.from(opts.prevHash ?? GENESIS_HASH)
    this.#nextSeq = startSeq
    this.#windowStart = startSeq - 1
  }

  /** Checks the next record; a no-op once an error has been found. */
  addRecord (r: VerifierRecord): void {
    if (this.#error !== null) return
    const seq = this.#nextSeq
    if (r.seq !== seq) {
      if (Number.isSafeInteger(r.seq) && r.seq > seq) {
        this.#fail(seq, 'gap', `record ${seq} is missing (next record has seq ${r.seq})`)
      } else {
        this.#fail(Number.isSafeInteger(r.seq) ? r.seq : seq, 'order', `record seq ${r.seq} arrived where ${seq} was expected`)
      }
      return
    }
    const problem = checkRecordContent(r, this.#tenant)
    if (problem !== null) return this.#fail(seq, problem.kind, problem.detail)
    if (!this.#prevHash.equals(r.prevHash)) {
      return this.#fail(seq, 'link', `prev_hash does not match the hash of record ${seq - 1}`)
    }
    const hash = chainHash(this.#prevHash, r.canonical)
    if (!hash.equals(r.hash)) return this.#fail(seq, 'content', 'hash is not SHA-256(prev_hash || canonical)')

    this.#range.append(leafHash(r.canonical))
    this.#prevHash = hash // our own buffer: callers may recycle theirs
    this.#nextSeq = seq + 1
    this.#checked++
    while (this.#error === null && this.#pending.peek()?.size === seq) {
      this.#settle(this.#pending.shift()!)
    }
  }

  /**
   * Registers a signed checkpoint. Add it before or exactly when the log
   * reaches `size`; its root is compared once the tree has that size.
   */
  addCheckpoint (c: { size: number; note: string }): void {
    if (this.#error !== null) return
    if (!Number.isSafeInteger(c.size) || c.size < 0) {
      return this.#fail(this.#nextSeq, 'signature', `checkpoint has invalid size ${String(c.size)}`)
    }
    if (c.size < this.#windowStart) return // its tree state is outside this run
    const read = readCheckpointNote(c, this.#origin, this.#verifiers)
    const entry: Pending = isProblem(read) ? { size: c.size, problem: read } : { size: read.size, root: read.rootHash }
    if (entry.size > this.#range.size) {
      // A heap, so addRecord only ever looks at the smallest size.
      this.#pending.push(entry)
    } else {
      this.#settle(entry)
    }
  }

  /** Ends the run: reports checkpoints or an `endSeq` the log never reached. */
  /** True once an error was found: callers streaming a long log may stop feeding it. */
  get failed (): boolean {
    return this.#error !== null
  }

  finish (): VerifyResult {
    const last = this.#nextSeq - 1
    const next = this.#pending.peek()
    if (this.#error === null && next !== undefined) {
      if (next.problem !== undefined) this.#fail(next.size, next.problem.kind, next.problem.detail)
      else this.#fail(last + 1, 'truncated', `log ends at seq ${last} but a checkpoint covers size ${next.size}`)
    }
    if (this.#error === null && this.#endSeq !== undefined && last < this.#endSeq) {
      this.#fail(last + 1, 'truncated', `log ends at seq ${last}, expected it to reach ${this.#endSeq}`)
    }
    return {
      valid: this.#error === null,
      checked: this.#checked,
      head: this.#checked === 0 ? null : { seq: last, hash: this.#prevHash.toString('hex') },
      first_error: this.#error,
      checkpoints_checked: this.#checkpointsChecked,
    }
  }

  #settle (p: Pending): void {
    if (p.problem !== undefined) return this.#fail(p.size, p.problem.kind, p.problem.detail)
    if (p.size !== this.#range.size) return // passed before it was added: nothing to compare
    if (!this.#range.root().equals(p.root)) {
      return this.#fail(p.size, 'root', `tree root at size ${p.size} differs from the signed checkpoint`)
    }
    this.#checkpointsChecked++
  }

  #fail (seq: number, kind: VerifyErrorKind, detail: string): void {
    this.#error ??= { seq, kind, detail }
  }
}

function isProblem (x: TrustedCheckpoint | RecordProblem): x is RecordProblem {
  return 'kind' in x
}
