import type { Logger } from 'pino'
import type { PgLogKeyStore } from '../store/pg-log-key-store.js'
import { LogKeys, type LogKeysOptions } from './log-keys.js'

export interface LogKeyRingOptions extends Omit<LogKeysOptions, 'record'> {
  store: Pick<PgLogKeyStore, 'record' | 'list'>
  logger: Logger
  /** How long a reading of `log_keys` serves verifiers and the well-known answer. */
  refreshMs?: number
  /** At most one "last signed" update per this long (signing happens many times a second). */
  touchMs?: number
}

/**
 * The configured keys (signers, in memory) and the record of every key that ever signed
 * (`log_keys`, read again now and then), as one {@link LogKeys}. Signing never waits for
 * PostgreSQL; verifiers and the well-known answer see a record at most `refreshMs` old.
 */
export class LogKeyRing {
  readonly #options: LogKeyRingOptions
  #keys: LogKeys
  #readAt = 0
  #touchedAt = 0
  #reading: Promise<LogKeys> | undefined

  constructor (options: LogKeyRingOptions) {
    this.#options = options
    this.#keys = new LogKeys(options)
  }

  /** The keys as last read; signers are always the configured ones. */
  get keys (): LogKeys {
    return this.#keys
  }

  /** Records the configured keys as signing (once; a failure is logged and retried on the next use), and reads the record. */
  async start (): Promise<LogKeys> {
    await this.#touch(true)
    return await this.fresh()
  }

  /** The keys with a record at most `refreshMs` old. A failed read keeps the last one. */
  async fresh (): Promise<LogKeys> {
    if (Date.now() - this.#readAt < (this.#options.refreshMs ?? 30_000)) return this.#keys
    this.#reading ??= this.#options.store.list().then(record => {
      this.#readAt = Date.now()
      this.#keys = this.#keys.withRecord(record)
      return this.#keys
    }, (err: unknown) => {
      this.#options.logger.warn({ err: (err as Error).message }, 'could not read the signing key record (log_keys); verifiers keep the keys read before')
      return this.#keys
    }).finally(() => { this.#reading = undefined })
    return await this.#reading
  }

  /** Called after the configured keys signed: moves their `last_signed_at` (throttled). */
  noteSigned (): void {
    if (Date.now() - this.#touchedAt < (this.#options.touchMs ?? 60_000)) return
    this.#touch(false).catch(() => {})
  }

  async #touch (starting: boolean): Promise<void> {
    this.#touchedAt = Date.now()
    const { current, next, legacyName } = this.#options
    try {
      await this.#options.store.record(next === undefined ? [current.publicKey] : [current.publicKey, next.publicKey], legacyName)
      if (starting) this.#readAt = 0
    } catch (err) {
      this.#touchedAt = 0
      this.#options.logger.warn({ err: (err as Error).message }, 'could not record the signing keys\' use (log_keys); will retry')
    }
  }
}
