import { sign, type KeyObject } from 'node:crypto'
import { logOrigin } from '../checkpoints/log-origin.js'
import { noteKeyId } from '../core/signed-note.js'
import { formatReceipt } from './receipt.js'

/** What the producer reports per accepted event (see `IngestResult`). */
export interface ReceiptSubject {
  id: string
  tenant: string
  received_at: string
  /** Base64 SHA-256 of the record as enqueued; absent when it is not known. */
  record_sha256?: string
}

/**
 * Signs ingest receipts with the log key: one Ed25519 signature per event, the key id and
 * signature-line prefix computed once. The output is byte for byte what `signNote` makes of
 * `formatReceipt(...)`, so any C2SP signed-note verifier opens it.
 */
export class ReceiptSigner {
  readonly #privateKey: KeyObject
  readonly #linePrefix: string
  readonly #keyId: Buffer
  readonly #originPrefix: string

  constructor (key: { name: string, privateKey: KeyObject, publicKey: Buffer }, originPrefix: string) {
    this.#privateKey = key.privateKey
    this.#keyId = noteKeyId(key.name, key.publicKey)
    this.#linePrefix = `\n\u2014 ${key.name} `
    this.#originPrefix = originPrefix
  }

  /** The signed receipt note for one accepted event. */
  sign (subject: Required<ReceiptSubject>): string {
    const text = formatReceipt({
      origin: logOrigin(this.#originPrefix, subject.tenant),
      id: subject.id,
      receivedAt: subject.received_at,
      recordSha256: Buffer.from(subject.record_sha256, 'base64')
    })
    const signature = sign(null, Buffer.from(text, 'utf8'), this.#privateKey)
    return `${text}${this.#linePrefix}${Buffer.concat([this.#keyId, signature]).toString('base64')}\n`
  }

  /**
   * The 202 answer for one event: its fields, minus the tenant, plus `record_sha256` and the
   * signed `receipt` (both absent for a duplicate whose original digest is not remembered).
   */
  accepted<T extends ReceiptSubject & { duplicate: boolean }> (result: T): { id: string, received_at: string, duplicate: boolean, record_sha256?: string, receipt?: string } {
    const { id, received_at, duplicate, record_sha256, tenant } = result
    if (record_sha256 === undefined) return { id, received_at, duplicate }
    return { id, received_at, duplicate, record_sha256, receipt: this.sign({ id, tenant, received_at, record_sha256 }) }
  }
}
