/**
 * Thrown when a value has no RFC 8785 canonical form (lone surrogates,
 * non-finite numbers, `undefined`/functions/symbols at the top level, cycles,
 * BigInt).
 */
export class CanonicalJsonError extends Error {
  /** Stable machine-readable code, so callers need not match on messages. */
  readonly code = 'AUDIT_ERR_CANONICAL'

  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'CanonicalJsonError'
  }
}
