import type { KeyObject } from 'node:crypto'
import { logOrigin } from '../core/checkpoint/index.js'
import { formatVerifierKey, parseVerifierKey, type NoteSigner, type ParsedVerifierKey } from '../core/note/index.js'
import type { LogKeyRecord } from './log-key-record.js'

/** A private key and its 32 public bytes. */
export interface LogKeyPair {
  privateKey: KeyObject
  publicKey: Buffer
}

export type LogKeyStatus = 'active' | 'next' | 'retired' | 'legacy'

/** One key as `/.well-known/audit-log-keys` publishes it. */
export interface PublishedLogKey {
  /** The log's origin, or `<origin_prefix>/<tenant>` for a key published as a template. */
  origin: string
  /** The key name in signature lines: the origin (or the template), or the legacy name. */
  name: string
  /** Absent for a template: the key id hashes the tenant's name. */
  key_id?: string
  verifier_key?: string
  /** Base64 of 0x01 || the 32 public key bytes, as in a verifier key. */
  public_key: string
  status: LogKeyStatus
  valid_from: string | null
  valid_until: string | null
}

export interface LogKeysOptions {
  /** LOG_ORIGIN: tenant `t`'s log is `<originPrefix>/t`, and so is its key's name. */
  originPrefix: string
  /** SIGNING_KEY_NAME: the one name every note had before keys were named after origins. */
  legacyName: string
  current: LogKeyPair
  /** The incoming key of a rotation: it signs beside the current key until promoted. */
  next?: LogKeyPair
  /** Every key recorded as having signed (log_keys): retired and legacy keys come from here. */
  record?: readonly LogKeyRecord[]
}

/** The template name of a tenant's key, for the answer that names no tenant. */
const TENANT_TEMPLATE = '<tenant>'

/**
 * The keys of every tenant's log, one concept for signers and verifiers: tenant `t`'s notes
 * are signed by keys named after its origin `<LOG_ORIGIN>/t` (C2SP tlog-checkpoint: the key
 * name SHOULD be the origin), so the same key material has a different key id per tenant and
 * a verifier of one tenant refuses another tenant's checkpoint by its key alone.
 *
 * - signers: the current key, plus the next one during a rotation's overlap (both sign);
 * - verifiers: current, next, every retired key on record, all under the tenant's name, and
 *   each legacy key under the legacy name (notes signed before per-origin names).
 *
 * Pure: the record is read by the caller (LogKeyRing).
 */
export class LogKeys {
  readonly #options: LogKeysOptions
  readonly #verifiers = new Map<string, ParsedVerifierKey[]>()

  constructor (options: LogKeysOptions) {
    if (options.next?.publicKey.equals(options.current.publicKey) === true) throw new Error('the next signing key is the current one')
    this.#options = options
  }

  get originPrefix (): string { return this.#options.originPrefix }
  get legacyName (): string { return this.#options.legacyName }
  get current (): LogKeyPair { return this.#options.current }
  get next (): LogKeyPair | undefined { return this.#options.next }
  get record (): readonly LogKeyRecord[] { return this.#options.record ?? [] }

  /** The same keys with a newer record. */
  withRecord (record: readonly LogKeyRecord[]): LogKeys {
    return new LogKeys({ ...this.#options, record })
  }

  originFor (tenant: string): string {
    return logOrigin(this.#options.originPrefix, tenant)
  }

  /** Who signs the tenant's notes, in signature-line order: current, then next. */
  signersFor (tenant: string): NoteSigner[] {
    const name = this.originFor(tenant)
    return this.#signing().map(k => ({ name, privateKey: k.privateKey }))
  }

  /** The keys a verifier of this tenant's log trusts (parsed; kept per tenant). */
  verifiersFor (tenant: string): ParsedVerifierKey[] {
    let verifiers = this.#verifiers.get(tenant)
    if (verifiers === undefined) {
      verifiers = this.verifierKeysFor(tenant).map(k => parseVerifierKey(k))
      if (this.#verifiers.size > 10_000) this.#verifiers.clear()
      this.#verifiers.set(tenant, verifiers)
    }
    return verifiers
  }

  /** {@link verifiersFor} as C2SP verifier key strings. */
  verifierKeysFor (tenant: string): string[] {
    return this.published(tenant).map(k => k.verifier_key!)
  }

  /**
   * What `/.well-known/audit-log-keys` lists: for a tenant, its concrete keys; without one, each
   * key as a template (`<originPrefix>/<tenant>`), so no tenant name is ever listed. Legacy keys
   * are concrete in both: their name is the same for every tenant.
   */
  published (tenant?: string): PublishedLogKey[] {
    const origin = this.originFor(tenant ?? TENANT_TEMPLATE)
    const record = this.record
    const recorded = (key: Buffer): LogKeyRecord | undefined => record.find(r => r.publicKey.equals(key))
    const keys: PublishedLogKey[] = []
    const add = (publicKey: Buffer, status: LogKeyStatus, validFrom: Date | undefined, validUntil: Date | undefined): void => {
      const name = status === 'legacy' ? recorded(publicKey)!.legacyName! : origin
      const concrete = tenant !== undefined || status === 'legacy'
      const verifierKey = concrete ? formatVerifierKey(name, publicKey) : undefined
      keys.push({
        origin,
        name,
        ...(verifierKey !== undefined && { key_id: verifierKey.split('+')[1]!, verifier_key: verifierKey }),
        public_key: Buffer.concat([Buffer.from([0x01]), publicKey]).toString('base64'),
        status,
        valid_from: validFrom?.toISOString() ?? null,
        valid_until: validUntil?.toISOString() ?? null
      })
    }
    const { current, next } = this.#options
    add(current.publicKey, 'active', recorded(current.publicKey)?.recordedAt, undefined)
    if (next !== undefined) add(next.publicKey, 'next', recorded(next.publicKey)?.recordedAt, undefined)
    const signing = this.#signing()
    for (const r of record) {
      if (!signing.some(k => k.publicKey.equals(r.publicKey))) add(r.publicKey, 'retired', r.recordedAt, r.lastSignedAt)
    }
    for (const r of record) {
      if (r.legacyName !== null) add(r.publicKey, 'legacy', r.firstSignedAt, r.recordedAt)
    }
    return keys
  }

  /**
   * What `/.well-known/audit-log-keys` lists when no tenant is asked for: every key as a
   * template, then the concrete keys of each tenant declared public (PUBLIC_TENANTS), each
   * tenant's entries exactly its `?tenant=` answer. A public tenant's name is no secret, so a
   * verifier of a public log finds its keys without knowing to ask.
   */
  listing (publicTenants: readonly string[] = []): PublishedLogKey[] {
    return [...this.published(), ...[...new Set(publicTenants)].flatMap(tenant => this.published(tenant))]
  }

  #signing (): LogKeyPair[] {
    const { current, next } = this.#options
    return next === undefined ? [current] : [current, next]
  }
}
