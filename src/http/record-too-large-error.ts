import { RequestValidationError, type FieldError } from './field-error.js'

/**
 * The record an event would become is larger than the service stores (its redactions, or its
 * canonical size): 413, each error naming the event (`/events/<i>` in a batch) and the bound.
 */
export class RecordTooLargeError extends RequestValidationError {
  constructor (errors: FieldError[]) {
    super(errors, 413, 'AUDIT_ERR_RECORD_TOO_LARGE')
    this.name = 'RecordTooLargeError'
  }
}
