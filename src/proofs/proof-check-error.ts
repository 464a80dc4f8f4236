/** A proof, receipt or checkpoint that does not verify; the message says which check failed. */
export class ProofCheckError extends Error {
  readonly code = 'AUDIT_ERR_PROOF'
  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ProofCheckError'
  }
}
