import { formatCheckpoint } from '../core/checkpoint/index.js'
import { signNote, type NoteSigner } from '../core/note/index.js'
import type { PgCheckpointStore, StoredCheckpoint } from '../store/pg-checkpoint-store.js'

export interface CheckpointSignerOptions {
  store: PgCheckpointStore
  /** Who signs a tenant's checkpoints (LogKeys#signersFor): keys named after its origin. */
  signersFor: (tenant: string) => NoteSigner[]
  /** Told after each signature, so the key record's "last signed" can move. */
  onSigned?: () => void
  /** The origin line for a tenant's log, e.g. `audit.example.com/acme`. */
  originFor: (tenant: string) => string
}

/**
 * Signs C2SP checkpoints over the tenants' Merkle trees and stores them append-only.
 *
 * The size and root come from one read of the chain head, which the appender updates in the
 * same transaction as the rows, so a checkpoint always describes a tree that was committed.
 * Ed25519 signatures are deterministic and (tenant, size) is the primary key: several
 * workers signing the same size store one checkpoint, never two roots for one size.
 */
export class CheckpointSigner {
  readonly #store: PgCheckpointStore
  readonly #signersFor: (tenant: string) => NoteSigner[]
  readonly #onSigned: () => void
  readonly #originFor: (tenant: string) => string

  constructor (options: CheckpointSignerOptions) {
    this.#store = options.store
    this.#signersFor = options.signersFor
    this.#onSigned = options.onSigned ?? (() => {})
    this.#originFor = options.originFor
  }

  /** Signs every tenant whose tree grew since its last checkpoint at least `minAgeSeconds` ago. */
  async signDue (minAgeSeconds: number): Promise<StoredCheckpoint[]> {
    const due = await this.#store.dueHeads(minAgeSeconds)
    const signed: StoredCheckpoint[] = []
    for (const head of due) signed.push(await this.#sign(head.tenant, head.size, head.rootHash))
    return signed
  }

  /** Signs the tenant's current tree now (on demand); returns the latest checkpoint. */
  async signNow (tenant: string): Promise<StoredCheckpoint | undefined> {
    const head = await this.#store.treeHead(tenant)
    if (head === undefined) return undefined
    return await this.#sign(tenant, head.size, head.rootHash)
  }

  async #sign (tenant: string, size: number, rootHash: Buffer): Promise<StoredCheckpoint> {
    const body = formatCheckpoint({ origin: this.#originFor(tenant), size, rootHash })
    // Every configured key signs: during a rotation's overlap the note carries both signatures.
    const note = signNote(body, this.#signersFor(tenant))
    const stored = await this.#store.add(tenant, size, rootHash, note)
    this.#onSigned()
    return stored
  }
}

/** Runs `signDue` on a timer in the worker; one run at a time, errors logged, never thrown. */
export function scheduleCheckpoints (signer: CheckpointSigner, options: { intervalSeconds: number, onError: (err: unknown) => void, onSigned?: (signed: StoredCheckpoint[]) => void }): () => void {
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    signer.signDue(options.intervalSeconds).then(signed => { if (signed.length > 0) options.onSigned?.(signed) }).catch(options.onError).finally(() => { running = false })
  }, Math.min(1000, options.intervalSeconds * 1000))
  timer.unref()
  return () => clearInterval(timer)
}
