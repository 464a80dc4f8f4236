import type { Kysely } from 'kysely'
import { LogVerifier, type VerifyError } from '../core/verify/index.js'
import type { ParsedVerifierKey } from '../core/note/index.js'
import type { Database } from '../store/database.js'
import { PgCheckpointStore } from '../store/pg-checkpoint-store.js'
import { PgLogReader, verifierRecord } from '../store/pg-log-reader.js'

/** What one tenant's verification found, as the worker exports it. */
export interface TenantVerification {
  tenant: string
  valid: boolean
  /** Records verified so far, from seq 1 (all of them when valid and caught up). */
  verifiedSize: number
  /** When this outcome was last confirmed (seconds since the epoch). */
  at: number
  error: VerifyError | null
}

export interface BackgroundVerifierOptions {
  db: Kysely<Database>
  /** The keys that may sign the tenant's checkpoints (LogKeys#verifiersFor: its own, retired and legacy). */
  verifiersFor: (tenant: string) => ParsedVerifierKey[] | Promise<ParsedVerifierKey[]>
  originFor: (tenant: string) => string
  /** Records per page read from PostgreSQL. */
  pageRows?: number
  /** Pages one run may read, all tenants together: the bound on a run's work. */
  pagesPerRun: number
  /** Called for each tenant looked at in a run (gauges). */
  onResult: (result: TenantVerification) => void
  /** Called once per tenant, when its log first fails (the details belong in the log). */
  onFailure: (result: TenantVerification) => void
  /** Called when a run has looked at every tenant (seconds since the epoch), for its gauge. */
  onRunEnd?: (at: number) => void
}

interface TenantState {
  verifier: LogVerifier
  /** The array the verifier reads its keys from, refilled before each run (a rotation's new key). */
  keys: ParsedVerifierKey[]
  /** Records verified: the next to read is verified + 1. */
  verified: number
  /** The chain hash of record `verified`, as checked. */
  lastHash: Buffer | undefined
  /** Checkpoints up to this size have been handed to the verifier. */
  checkpointsTo: number
  error: VerifyError | null
  at: number
}

/** When a run ends with work left, the next one waits at least this long (and as long as the run took). */
const CATCH_UP_PAUSE_MS = 1_000

/**
 * Re-verifies every tenant's stored log in the worker, continuously: each run picks up where
 * the last one stopped (the chain hash and tree frontier are kept in memory), up to the
 * tenant's latest signed checkpoint, so every checkpoint is in place before the records reach
 * it and its root is compared. A restart starts again from seq 1, so old tampering is found
 * again rather than trusted. A run reads at most `pagesPerRun` pages, shared round-robin
 * between tenants, so verification never competes hard with appends.
 *
 * Only this full, continuous run moves `audit_last_verification_valid`: a partial GET /verify
 * by a read key says nothing about the rest of the log.
 */
export class BackgroundVerifier {
  readonly #options: BackgroundVerifierOptions
  readonly #reader: PgLogReader
  readonly #checkpoints: PgCheckpointStore
  readonly #pageRows: number
  readonly #tenants = new Map<string, TenantState>()
  #rotation = 0
  #timer: NodeJS.Timeout | undefined
  #running: Promise<unknown> | undefined
  #stopped = false

  constructor (options: BackgroundVerifierOptions) {
    this.#options = options
    this.#pageRows = options.pageRows ?? 1000
    // No read-ahead: one connection, one page at a time.
    this.#reader = new PgLogReader(options.db, { pageSize: this.#pageRows, readAhead: 0 })
    this.#checkpoints = new PgCheckpointStore(options.db)
  }

  /** One run over the tenants; resolves with whether work was left for the next run. */
  async runOnce (): Promise<{ more: boolean }> {
    const heads = await this.#checkpoints.signedSizes()
    let budget = this.#options.pagesPerRun * this.#pageRows
    let more = false
    // A different tenant goes first each run, so a long log cannot starve the others.
    const start = heads.length === 0 ? 0 : this.#rotation++ % heads.length
    for (let i = 0; i < heads.length && !this.#stopped; i++) {
      const { tenant, signed } = heads[(start + i) % heads.length]!
      const state = this.#stateOf(tenant)
      await this.#refreshKeys(tenant, state)
      const target = signed ?? 0
      await this.#recheckHead(tenant, state)
      if (state.error === null && state.verified < target) {
        if (budget <= 0) {
          more = true // not looked at this run: its last outcome (and time) stand
          continue
        }
        const to = Math.min(target, state.verified + budget)
        budget -= to - state.verified
        await this.#advance(tenant, state, to)
        if (state.error === null && state.verified < target) more = true
        if (state.error !== null) this.#options.onFailure(this.#result(tenant, state))
      }
      if (state.error === null) state.at = Date.now() / 1000
      this.#options.onResult(this.#result(tenant, state))
    }
    if (!this.#stopped) this.#options.onRunEnd?.(Date.now() / 1000)
    return { more }
  }

  /** Runs every `intervalMs` (sooner while catching up) until stop(). */
  start (intervalMs: number, onError: (err: unknown) => void): void {
    const schedule = (delayMs: number) => {
      if (this.#stopped) return
      this.#timer = setTimeout(() => {
        const started = performance.now()
        const run = this.runOnce().then(
          ({ more }) => more ? Math.max(CATCH_UP_PAUSE_MS, performance.now() - started) : intervalMs,
          (err: unknown) => { onError(err); return intervalMs })
        this.#running = run
        run.then(schedule, () => {})
      }, delayMs)
      this.#timer.unref()
    }
    schedule(0)
  }

  /** Stops the loop; resolves once a run in progress has ended. */
  async stop (): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running?.catch(() => {})
  }

  #stateOf (tenant: string): TenantState {
    let state = this.#tenants.get(tenant)
    if (state === undefined) {
      const keys: ParsedVerifierKey[] = []
      state = { verifier: new LogVerifier({ tenant, origin: this.#options.originFor(tenant), verifiers: keys }), keys, verified: 0, lastHash: undefined, checkpointsTo: 0, error: null, at: Date.now() / 1000 }
      this.#tenants.set(tenant, state)
    }
    return state
  }

  /** Keys may be added while the worker runs (another process started signing with a next key). */
  async #refreshKeys (tenant: string, state: TenantState): Promise<void> {
    const keys = await this.#options.verifiersFor(tenant)
    if (keys.length !== state.keys.length || keys.some((k, i) => k !== state.keys[i])) state.keys.splice(0, state.keys.length, ...keys)
  }

  async #advance (tenant: string, state: TenantState, to: number): Promise<void> {
    const { verifier } = state
    for await (const page of this.#reader.checkpoints(tenant, state.checkpointsTo + 1, to)) {
      for (const checkpoint of page) verifier.addCheckpoint(checkpoint)
    }
    state.checkpointsTo = to
    for await (const page of this.#reader.records(tenant, state.verified + 1, to)) {
      for (const row of page) {
        verifier.addRecord(verifierRecord(row))
        if (verifier.failed) break
        state.verified = row.seq
        state.lastHash = row.hash
      }
      if (verifier.failed) break
    }
    if (verifier.failed) state.error = verifier.finish().first_error
    // A signed checkpoint says these records exist: fewer is a gap the verifier cannot see
    // (it only notices a missing record when a later one arrives).
    else if (state.verified < to) state.error = { seq: state.verified + 1, kind: 'gap', detail: `records ${state.verified + 1} to ${to} are missing below the signed checkpoint` }
    if (state.error !== null) state.at = Date.now() / 1000
  }

  // Records already verified are not read again until a restart; but rewriting any of them
  // while keeping the chain linked changes every later hash, so one point read of the last
  // verified record catches it on the next run.
  async #recheckHead (tenant: string, state: TenantState): Promise<void> {
    if (state.error !== null || state.lastHash === undefined) return
    const row = await this.#options.db.selectFrom('audit_events').select('hash')
      .where('tenant', '=', tenant).where('seq', '=', state.verified).executeTakeFirst()
    if (row !== undefined && row.hash.equals(state.lastHash)) return
    state.error = { seq: state.verified, kind: row === undefined ? 'gap' : 'link', detail: `record ${state.verified} was ${row === undefined ? 'removed' : 'rewritten'} after it was verified` }
    state.at = Date.now() / 1000
    this.#options.onFailure(this.#result(tenant, state))
  }

  #result (tenant: string, state: TenantState): TenantVerification {
    return { tenant, valid: state.error === null, verifiedSize: state.verified, at: state.at, error: state.error }
  }
}
