/** Thrown when checkpoint text does not follow c2sp.org/tlog-checkpoint exactly. */
export class CheckpointFormatError extends Error {
  /** Stable machine-readable code. */
  readonly code = 'AUDIT_ERR_CHECKPOINT'

  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'CheckpointFormatError'
  }
}
