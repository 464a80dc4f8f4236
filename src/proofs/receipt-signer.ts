import { sign, type KeyObject } from 'node:crypto'
import { logOrigin } from '../core/checkpoint/index.js'
import { leafHash, batchTree } from '../core/merkle/index.js'
import { noteKeyId, publicKeyBytes, type NoteSigner } from '../core/note/index.js'
import { formatReceipt, formatReceiptBatch, RECEIPT_V2_HEADER } from './receipt.js'

/** What the producer reports per accepted event (see `IngestResult`). */
export interface ReceiptSubject {
  id: string
  tenant: string
  received_at: string
  /** Base64 SHA-256 of the record as enqueued; absent when it is not known. */
  record_sha256?: string
}

/** The 202 answer for one event: the receipt fields as the schemas `AcceptedEvent` and `AcceptedBatch` items have them. */
export interface AcceptedAnswer {
  id: string
  received_at: string
  duplicate: boolean
  record_sha256?: string
  receipt?: string
}

/** Who signs a tenant's notes (LogKeys#signersFor): keys named after the tenant's origin. */
export interface ReceiptKeys {
  signersFor: (tenant: string) => NoteSigner[]
}

interface TenantLines {
  privateKey: KeyObject
  /** `\n— <name> ` followed by base64 of this prefix (the key id) and the signature. */
  linePrefix: string
  keyId: Buffer
}

/** Per-tenant signature-line prefixes kept at most (a key id is a SHA-256 over name and key). */
const MAX_CACHED_TENANTS = 10_000

/**
 * Signs ingest receipts (v2, docs/hash-chain.md "Receipts") with the tenant's log keys: ONE
 * Ed25519 signature per key per batch, over the RFC 6962 root of the batch's leaves; each
 * receipt carries its five lines, its leaf index and path, and that signed note. A batch is
 * one tenant's: its key names are the tenant's origin, and another tenant's receipt must not
 * show them. The key ids and signature-line prefixes are computed once per tenant. The note
 * is byte for byte what `signNote` makes of its text.
 */
export class ReceiptSigner {
  readonly #keys: ReceiptKeys
  readonly #lines = new Map<string, TenantLines[]>()
  readonly #originPrefix: string

  constructor (keys: ReceiptKeys, originPrefix: string) {
    this.#keys = keys
    this.#originPrefix = originPrefix
  }

  #linesFor (tenant: string): TenantLines[] {
    const signers = this.#keys.signersFor(tenant)
    let lines = this.#lines.get(tenant)
    // The configured signers are fixed for the process; compared anyway, cheaply, by key object.
    if (lines === undefined || lines.length !== signers.length || lines.some((l, i) => l.privateKey !== signers[i]!.privateKey)) {
      lines = signers.map(s => ({ privateKey: s.privateKey, keyId: noteKeyId(s.name, publicKeyBytes(s.privateKey)), linePrefix: `\u2014 ${s.name} ` }))
      if (this.#lines.size >= MAX_CACHED_TENANTS) this.#lines.clear()
      this.#lines.set(tenant, lines)
    }
    return lines
  }

  /**
   * The receipts of accepted events, in order: one signature per tenant among them (an admin's
   * batch may name several), since a receipt may only carry its own log's key names. A
   * receipt shows the other leaves of its tenant's batch only as hashes on its path.
   *
   * @throws {ReceiptFormatError} when a subject's field cannot be in a receipt.
   */
  signBatch (subjects: ReadonlyArray<Required<ReceiptSubject>>): string[] {
    const receipts: string[] = new Array(subjects.length)
    for (const [tenant, members] of groupByTenant(subjects)) {
      const signed = this.signLeaves(tenant, members.map(i => this.leafText(subjects[i]!)))
      members.forEach((i, k) => { receipts[i] = signed[k]! })
    }
    return receipts
  }

  /**
   * The five lines of one event's receipt, which are also its leaf's data. Separate from
   * `signLeaves` so that a subject that cannot be in a receipt fails on its own, before it
   * joins a batch shared with other requests.
   *
   * @throws {ReceiptFormatError} when a field cannot be in a receipt.
   */
  leafText (subject: Required<ReceiptSubject>): string {
    return formatReceipt({
      origin: logOrigin(this.#originPrefix, subject.tenant),
      id: subject.id,
      receivedAt: subject.received_at,
      recordSha256: Buffer.from(subject.record_sha256, 'base64')
    }, RECEIPT_V2_HEADER)
  }

  /** The receipts for one tenant's leaves made by `leafText`, in order, under one signature per key. */
  signLeaves (tenant: string, lines: readonly string[]): string[] {
    if (lines.length === 0) return []
    const { size, paths, note } = this.#sign(tenant, lines, hash => `${hash.toString('base64')}\n`)
    return lines.map((text, i) => `${text}${i} ${size}\n${paths[i]!}\n${note}`)
  }

  /**
   * One batch tree and signature over `lines`; each leaf's path as its lines joined, each node
   * encoded once by `encode` (a node is on the path of every leaf below its sibling).
   */
  #sign (tenant: string, lines: readonly string[], encode: (hash: Buffer) => string): { size: number, paths: string[], note: string } {
    const size = lines.length
    const tree = batchTree(lines.map(text => leafHash(text)))
    const text = formatReceiptBatch(size, tree.root)
    const bytes = Buffer.from(text, 'utf8')
    let note = `${text}\n`
    for (const key of this.#linesFor(tenant)) {
      note += `${key.linePrefix}${Buffer.concat([key.keyId, sign(null, bytes, key.privateKey)]).toString('base64')}\n`
    }
    const encoded = new Map<Buffer, string>()
    const line = (hash: Buffer): string => {
      let s = encoded.get(hash)
      if (s === undefined) encoded.set(hash, s = encode(hash))
      return s
    }
    return { size, paths: tree.paths.map(path => path.map(line).join('')), note }
  }

  /**
   * The 202 answer of a batch request as JSON text: what `JSON.stringify` makes of
   * `{ accepted, items: acceptedBatch(results) with status "accepted" }` (test/proofs holds the
   * two together), written from pieces escaped once: the signed note and each path node are
   * shared by many receipts, and escaping 100 receipts of ~860 characters one character at a
   * time was most of a batch answer's cost. The note's em dash is written `\u2014`, so the
   * whole text stays one byte per character.
   */
  acceptedBatchJson (results: ReadonlyArray<ReceiptSubject & { duplicate: boolean }>): string {
    const receipts: Array<string | undefined> = new Array(results.length)
    for (const [tenant, members] of groupByTenant(results, r => r.record_sha256 !== undefined)) {
      const lines = members.map(i => this.leafText(results[i] as Required<ReceiptSubject>))
      // Base64 and the receipt lines are printable ASCII (leafText checks): only `\n` to escape.
      const signed = this.#sign(tenant, lines, hash => `${hash.toString('base64')}\\n`)
      const note = jsonStringText(signed.note)
      members.forEach((i, k) => { receipts[i] = `${jsonStringText(lines[k]!)}${k} ${signed.size}\\n${signed.paths[k]!}\\n${note}` })
    }
    const items = results.map((r, i) => answerJson(r, receipts[i]))
    return `{"accepted":${results.length},"items":[${items.join(',')}]}`
  }

  /**
   * The 202 answers for a request's events: their fields minus the tenant, plus
   * `record_sha256` and the `receipt` (both absent for a duplicate whose original digest is not
   * remembered). The receipts of one tenant share one signature.
   */
  acceptedBatch (results: ReadonlyArray<ReceiptSubject & { duplicate: boolean }>): AcceptedAnswer[] {
    const subjects = results.filter((r): r is Required<ReceiptSubject> & { duplicate: boolean } => r.record_sha256 !== undefined)
    const receipts = this.signBatch(subjects)
    let next = 0
    return results.map(r => acceptedAnswer(r, r.record_sha256 === undefined ? undefined : receipts[next++]))
  }
}

/** The indexes of `items` (those `included`) by tenant, in order; nearly always one tenant. */
function groupByTenant<T extends { tenant: string }> (items: readonly T[], included: (item: T) => boolean = () => true): Map<string, number[]> {
  const groups = new Map<string, number[]>()
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!
    if (!included(item)) continue
    const members = groups.get(item.tenant)
    if (members === undefined) groups.set(item.tenant, [i])
    else members.push(i)
  }
  return groups
}

/** The 202 answer for one event, given its receipt (none when its digest is not known). */
export function acceptedAnswer (result: ReceiptSubject & { duplicate: boolean }, receipt: string | undefined): AcceptedAnswer {
  const answer = { id: result.id, received_at: result.received_at, duplicate: result.duplicate }
  if (result.record_sha256 === undefined || receipt === undefined) return answer
  return { ...answer, record_sha256: result.record_sha256, receipt }
}

/**
 * {@link acceptedAnswer} with `status: "accepted"` as JSON text (the `AcceptedEvent` schema's
 * form), one byte per character like {@link ReceiptSigner.acceptedBatchJson}: the native
 * `JSON.stringify` escapes the receipt's newlines far faster than a schema-compiled serializer
 * walking it in JavaScript.
 */
export function acceptedJson (result: ReceiptSubject & { duplicate: boolean }, receipt: string | undefined): string {
  return answerJson(result, receipt === undefined ? undefined : jsonStringText(receipt))
}

/** One 202 answer as JSON text, its receipt given already escaped (the inside of a JSON string). */
function answerJson (result: ReceiptSubject & { duplicate: boolean }, receiptText: string | undefined): string {
  const head = `{"id":"${jsonStringText(result.id)}","received_at":"${jsonStringText(result.received_at)}","status":"accepted","duplicate":${result.duplicate}`
  if (result.record_sha256 === undefined || receiptText === undefined) return `${head}}`
  return `${head},"record_sha256":"${jsonStringText(result.record_sha256)}","receipt":"${receiptText}"}`
}

/**
 * JSON text of one byte per character (`acceptedJson`, `acceptedBatchJson`) as the bytes to
 * send: a Latin-1 copy is a plain copy of such a string, where Fastify would otherwise scan
 * the whole answer to count its UTF-8 bytes and encode it again to write it.
 */
export function asciiBody (json: string): Buffer {
  return Buffer.from(json, 'latin1')
}

/** The inside of a JSON string literal for `text`, with non-ASCII written as `\uXXXX`. */
function jsonStringText (text: string): string {
  // The signature line's em dash is the one non-ASCII character a receipt always has.
  const json = JSON.stringify(text).slice(1, -1).replaceAll('\u2014', '\\u2014')
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(json) ? json.replace(/[^\x00-\x7f]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json
}
