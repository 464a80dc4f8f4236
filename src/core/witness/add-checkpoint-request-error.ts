/** Thrown for a tlog-witness add-checkpoint request body that cannot be read or written. */
export class AddCheckpointRequestError extends Error {
  /** Stable machine-readable code. */
  readonly code = 'AUDIT_ERR_ADD_CHECKPOINT'

  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'AddCheckpointRequestError'
  }
}
