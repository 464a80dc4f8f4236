import type { ReceiptSigner, ReceiptSubject } from './receipt-signer.js'

type Signer = Pick<ReceiptSigner, 'leafText' | 'signLeaves'>

interface Waiting {
  tenant: string
  leaf: string
  resolve: (receipt: string) => void
  reject: (err: unknown) => void
}

/**
 * Gathers the receipts of single-event requests answered in the same event-loop turn and signs
 * each tenant's with one `signLeaves` (one Ed25519 signature per key) instead of one each: the
 * key names are the tenant's origin, so tenants never share a batch.
 */
export class ReceiptBatcher {
  readonly #signer: Signer
  readonly #maxBatch: number
  #queue: Waiting[] = []
  #scheduled = false

  /** @param maxBatch receipts per signature at most: a larger burst is split (paths stay short). */
  constructor (signer: Signer, maxBatch = 1024) {
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new RangeError('maxBatch must be a positive integer')
    this.#signer = signer
    this.#maxBatch = maxBatch
  }

  /**
   * The receipt of one accepted event, signed together with whatever else is queued this turn.
   * A subject that cannot be in a receipt is refused here, alone, not in the shared batch.
   */
  sign (subject: Required<ReceiptSubject>): Promise<string> {
    let leaf: string
    try {
      leaf = this.#signer.leafText(subject)
    } catch (err) {
      return Promise.reject(err)
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ tenant: subject.tenant, leaf, resolve, reject })
      this.#schedule()
    })
  }

  #schedule (): void {
    if (this.#scheduled) return
    this.#scheduled = true
    // setImmediate, not a microtask: the producer resolves all the requests of one flush in a
    // loop, and each request's handler reaches sign() only after some promise hops (its await,
    // Fastify's wrappers). A microtask queued by the first one could run before the others
    // arrive; setImmediate runs once the whole microtask queue has drained, so it sees them all.
    setImmediate(() => this.#flush())
  }

  #flush (): void {
    this.#scheduled = false
    const batch = this.#queue.splice(0, this.#maxBatch)
    // More than one batch queued: sign the rest in a later turn, letting I/O in between.
    if (this.#queue.length > 0) this.#schedule()
    const byTenant = new Map<string, Waiting[]>()
    for (const w of batch) {
      const group = byTenant.get(w.tenant)
      if (group === undefined) byTenant.set(w.tenant, [w])
      else group.push(w)
    }
    for (const [tenant, group] of byTenant) {
      let receipts: string[]
      try {
        receipts = this.#signer.signLeaves(tenant, group.map(w => w.leaf))
      } catch (err) {
        for (const w of group) w.reject(err)
        continue
      }
      group.forEach((w, i) => w.resolve(receipts[i]!))
    }
  }
}
