import type { Logger } from 'pino'
import { consistencyProof, type NodeReader } from '../core/merkle/index.js'
import { parseSignatureLine } from '../core/note/index.js'
import { formatAddCheckpointRequest, verifyCosignature } from '../core/witness/index.js'
import type { CheckpointToWitness, PgCosignatureStore } from '../store/pg-cosignature-store.js'
import type { WitnessConfig } from './parse-witnesses.js'
import { postAddCheckpoint, type RefusalOutcome } from './post-add-checkpoint.js'

/** What one add-checkpoint exchange came to, as `audit_witness_requests_total` counts it. */
export type WitnessOutcome = 'cosigned' | 'conflict' | 'bad_cosignature' | RefusalOutcome

export const WITNESS_OUTCOMES: readonly WitnessOutcome[] = ['cosigned', 'conflict', 'forbidden', 'unknown_origin', 'bad_proof', 'bad_cosignature', 'failed']

export interface CheckpointWitnessingOptions {
  witnesses: readonly WitnessConfig[]
  store: Pick<PgCosignatureStore, 'latestToWitness' | 'witnessSize' | 'setWitnessSize' | 'add'>
  /** Reads a tenant's stored tree nodes (PgLogReader#nodes): proofs come from them. */
  nodesOf: (tenant: string) => NodeReader
  timeoutMs: number
  logger: Logger
  /** Every exchange with a witness, for the metrics. */
  onOutcome?: (witness: string, outcome: WitnessOutcome) => void
  /** First wait after a failure; it doubles per failure up to `retryMaxMs`. */
  retryBaseMs?: number
  retryMaxMs?: number
  /** Requests in flight at once, all tenants and witnesses together. */
  concurrency?: number
  now?: () => number
}

interface Backoff {
  failures: number
  until: number
}

/**
 * The log side of C2SP tlog-witness: each round sends every tenant's latest checkpoint to
 * every witness that has not cosigned it yet, concurrently, each request under a timeout,
 * with a consistency proof from the size the witness last accepted. A 200's cosignature is
 * stored once it verifies with the witness's key; a 409 is retried once from the size the
 * witness states; any other answer is logged, counted, and retried on a later round after a
 * back-off that doubles per failure. Separate from signing: a witness that is down delays
 * its own cosignatures and nothing else.
 */
export class CheckpointWitnessing {
  readonly #witnesses: readonly WitnessConfig[]
  readonly #store: CheckpointWitnessingOptions['store']
  readonly #nodesOf: (tenant: string) => NodeReader
  readonly #timeoutMs: number
  readonly #log: Logger
  readonly #onOutcome: (witness: string, outcome: WitnessOutcome) => void
  readonly #retryBaseMs: number
  readonly #retryMaxMs: number
  readonly #concurrency: number
  readonly #now: () => number
  readonly #backoff = new Map<string, Backoff>()

  constructor (options: CheckpointWitnessingOptions) {
    this.#witnesses = options.witnesses
    this.#store = options.store
    this.#nodesOf = options.nodesOf
    this.#timeoutMs = options.timeoutMs
    this.#log = options.logger.child({ component: 'witnessing' })
    this.#onOutcome = options.onOutcome ?? (() => {})
    this.#retryBaseMs = options.retryBaseMs ?? 2_000
    this.#retryMaxMs = options.retryMaxMs ?? 300_000
    this.#concurrency = options.concurrency ?? 16
    this.#now = options.now ?? Date.now
  }

  /** When the earliest back-off ends (Infinity when none waits): a round is due then. */
  nextRetryAt (): number {
    let next = Infinity
    for (const b of this.#backoff.values()) next = Math.min(next, b.until)
    return next
  }

  /** One round over all tenants; resolves when every request of it is answered or timed out. */
  async round (): Promise<void> {
    if (this.#witnesses.length === 0) return
    const latest = await this.#store.latestToWitness(this.#witnesses.map(w => w.id))
    const now = this.#now()
    const work: Array<() => Promise<void>> = []
    for (const checkpoint of latest) {
      for (const witness of this.#witnesses) {
        if (checkpoint.cosignedBy.includes(witness.id)) continue
        const backoff = this.#backoff.get(key(checkpoint.tenant, witness))
        if (backoff !== undefined && backoff.until > now) continue
        work.push(async () => { await this.#witness(checkpoint, witness) })
      }
    }
    let next = 0
    const lane = async () => {
      while (next < work.length) await work[next++]!()
    }
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, work.length) }, lane))
  }

  async #witness (checkpoint: CheckpointToWitness, witness: WitnessConfig): Promise<void> {
    const { tenant, size } = checkpoint
    const origin = checkpoint.note.slice(0, checkpoint.note.indexOf('\n'))
    const fields = { witness: witness.id, origin, size }
    let outcome: WitnessOutcome
    let detail = ''
    try {
      let old = await this.#store.witnessSize(tenant, witness.id)
      for (let attempt = 0; ; attempt++) {
        if (old > size) {
          // The witness has a larger tree of this log than its latest checkpoint here: another
          // worker's newer one (the next round sends it), or a fork the witness saw first.
          outcome = 'conflict'
          detail = `the witness is at size ${old}, past this checkpoint`
          break
        }
        const answer = await postAddCheckpoint(witness.url, formatAddCheckpointRequest({ oldSize: old, proof: await this.#proof(tenant, old, size), note: checkpoint.note }), this.#timeoutMs)
        if (answer.kind === 'conflict') {
          this.#onOutcome(witness.id, 'conflict')
          await this.#store.setWitnessSize(tenant, witness.id, answer.size)
          this.#log.info({ ...fields, old, witnessSize: answer.size }, 'witness is at another size (409): retrying from it')
          if (attempt === 0 && answer.size <= size) {
            old = answer.size
            continue
          }
          outcome = 'conflict'
          detail = `409 again, the witness is at size ${answer.size}`
          this.#fail(tenant, witness, fields, outcome, detail, false)
          return
        }
        if (answer.kind === 'refused') {
          outcome = answer.outcome
          detail = answer.detail
          break
        }
        // 200: the witness recorded this size, whatever its lines are worth.
        await this.#store.setWitnessSize(tenant, witness.id, size)
        const cosignature = this.#verify(checkpoint.note, answer.lines, witness)
        if (cosignature === undefined) {
          outcome = 'bad_cosignature'
          detail = `none of the ${answer.lines.length} lines is a valid cosignature by ${witness.id}: is WITNESSES's key the witness's?`
          break
        }
        await this.#store.add(tenant, size, witness.id, cosignature.line, new Date(cosignature.timestamp * 1000))
        this.#backoff.delete(key(tenant, witness))
        this.#onOutcome(witness.id, 'cosigned')
        return
      }
    } catch (err) {
      outcome = 'failed'
      detail = (err as Error).message
    }
    this.#fail(tenant, witness, fields, outcome, detail, true)
  }

  #fail (tenant: string, witness: WitnessConfig, fields: object, outcome: WitnessOutcome, detail: string, count: boolean): void {
    if (count) this.#onOutcome(witness.id, outcome)
    const k = key(tenant, witness)
    const failures = (this.#backoff.get(k)?.failures ?? 0) + 1
    const waitMs = Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** Math.min(failures - 1, 30))
    this.#backoff.set(k, { failures, until: this.#now() + waitMs })
    // 403 and 404 need a human on one side: said louder than a witness that is away.
    const level = outcome === 'forbidden' || outcome === 'unknown_origin' || outcome === 'bad_cosignature' ? 'error' : 'warn'
    this.#log[level]({ ...fields, outcome, detail, failures, retryInMs: waitMs }, `witness did not cosign: ${MEANING[outcome]}`)
  }

  /** A consistency proof from `old` (0: none) to `size`, from the stored tree nodes. */
  async #proof (tenant: string, old: number, size: number): Promise<Buffer[]> {
    if (old === 0 || old === size) return []
    return await consistencyProof(old, size, this.#nodesOf(tenant))
  }

  /** The first of the witness's lines that is its valid cosignature of this checkpoint. */
  #verify (note: string, lines: string[], witness: WitnessConfig): { line: string, timestamp: number } | undefined {
    const text = note.slice(0, note.lastIndexOf('\n\n') + 1)
    for (const line of lines) {
      const parsed = parseSignatureLine(line)
      // Lines of other keys (a witness with several) are ignored, as the spec says.
      if (parsed === null || parsed.name !== witness.key.name || !parsed.keyId.equals(witness.key.keyId)) continue
      try {
        const { timestamp } = verifyCosignature(text, line, witness.key)
        // tlog-cosignature allows times up to 2^63 - 1 and lets a verifier refuse future ones:
        // one past what a Date (and the cosigned_at column) holds, year 275760, is refused here
        // rather than failing the insert on every retry.
        if (Number.isNaN(new Date(timestamp * 1000).getTime())) continue
        return { line, timestamp }
      } catch {}
    }
    return undefined
  }
}

const key = (tenant: string, witness: WitnessConfig) => `${tenant}\n${witness.id}`

const MEANING: Record<WitnessOutcome, string> = {
  cosigned: 'cosigned',
  conflict: 'its size for this log differs from the log\'s (409)',
  forbidden: 'it does not accept the log\'s key (403): give the witness operator the log\'s verifier key',
  unknown_origin: 'it does not know this log\'s origin (404): ask the witness operator to add the log',
  bad_proof: 'it refused the consistency proof (422)',
  bad_cosignature: 'its answer holds no valid cosignature by its configured key',
  failed: 'no usable answer (network, timeout or another status); will retry'
}

/**
 * Runs `round` in the worker: at once when `wake` is called (a checkpoint was signed), when a
 * back-off ends, and every `sweepMs` anyway (checkpoints signed by another worker or by POST
 * /checkpoints). Checked every `everyMs`; one round at a time; errors logged, never thrown.
 */
export function scheduleWitnessing (witnessing: CheckpointWitnessing, options: { everyMs: number, sweepMs: number, onError: (err: unknown) => void }): { wake: () => void, stop: () => Promise<void> } {
  let running: Promise<void> | undefined
  let woken = true
  let lastRound = 0
  const timer = setInterval(() => {
    const now = Date.now()
    if (running !== undefined || !(woken || now >= witnessing.nextRetryAt() || now - lastRound >= options.sweepMs)) return
    woken = false
    lastRound = now
    running = witnessing.round().catch(options.onError).finally(() => { running = undefined })
  }, options.everyMs)
  timer.unref()
  return {
    wake: () => { woken = true },
    stop: async () => {
      clearInterval(timer)
      await running
    }
  }
}
