import { type Kysely, sql } from 'kysely'
import { formatCheckpoint } from '../core/checkpoint/index.js'
import { signNote } from '../core/note/index.js'
import type { SigningKey } from '../plugins/load-signing-key.js'
import type { Database } from '../store/database.js'

export interface StoredCheckpoint {
  tenant: string
  size: number
  rootHash: Buffer
  note: string
  createdAt: Date
}

export interface CheckpointSignerOptions {
  db: Kysely<Database>
  key: SigningKey
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
  readonly #db: Kysely<Database>
  readonly #key: SigningKey
  readonly #originFor: (tenant: string) => string

  constructor (options: CheckpointSignerOptions) {
    this.#db = options.db
    this.#key = options.key
    this.#originFor = options.originFor
  }

  /** Signs every tenant whose tree grew since its last checkpoint at least `minAgeSeconds` ago. */
  async signDue (minAgeSeconds: number): Promise<StoredCheckpoint[]> {
    const due = await sql<{ tenant: string, size: number, root_hash: Buffer }>`
      SELECT h.tenant, h.size, h.root_hash
      FROM chain_heads h
      LEFT JOIN LATERAL (
        SELECT c.size, c.created_at FROM checkpoints c WHERE c.tenant = h.tenant ORDER BY c.size DESC LIMIT 1
      ) last ON true
      WHERE h.size > coalesce(last.size, 0)
        AND (last.created_at IS NULL OR last.created_at <= now() - make_interval(secs => ${minAgeSeconds}))
    `.execute(this.#db)
    const signed: StoredCheckpoint[] = []
    for (const head of due.rows) signed.push(await this.#store(head.tenant, head.size, head.root_hash))
    return signed
  }

  /** Signs the tenant's current tree now (on demand); returns the latest checkpoint. */
  async signNow (tenant: string): Promise<StoredCheckpoint | undefined> {
    const head = await this.#db.selectFrom('chain_heads').select(['size', 'root_hash']).where('tenant', '=', tenant).executeTakeFirst()
    if (head === undefined || head.size === 0) return undefined
    return await this.#store(tenant, head.size, head.root_hash)
  }

  async #store (tenant: string, size: number, rootHash: Buffer): Promise<StoredCheckpoint> {
    const body = formatCheckpoint({ origin: this.#originFor(tenant), size, rootHash })
    const note = signNote(body, { name: this.#key.name, privateKey: this.#key.privateKey })
    await this.#db.insertInto('checkpoints')
      .values({ tenant, size, root_hash: rootHash, note })
      .onConflict(oc => oc.columns(['tenant', 'size']).doNothing())
      .execute()
    const stored = await this.#db.selectFrom('checkpoints').selectAll().where('tenant', '=', tenant).where('size', '=', size).executeTakeFirstOrThrow()
    return { tenant, size, rootHash: stored.root_hash, note: stored.note, createdAt: stored.created_at }
  }
}

/** Runs `signDue` on a timer in the worker; one run at a time, errors logged, never thrown. */
export function scheduleCheckpoints (signer: CheckpointSigner, options: { intervalSeconds: number, onError: (err: unknown) => void }): () => void {
  let running = false
  const timer = setInterval(() => {
    if (running) return
    running = true
    signer.signDue(options.intervalSeconds).catch(options.onError).finally(() => { running = false })
  }, Math.min(1000, options.intervalSeconds * 1000))
  timer.unref()
  return () => clearInterval(timer)
}
