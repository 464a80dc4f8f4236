/**
 * RFC 8785 canonical JSON, I-JSON (RFC 7493) checks and RFC 6901 JSON Pointers: the exact bytes
 * every hash in the log is taken over.
 *
 * Pure: no I/O. The only way into this module from outside it.
 */
export * from './canonical-json-error.js'
export * from './canonical-json.js'
export * from './canonical-members.js'
export * from './find-ijson-violation.js'
export * from './is-canonical-record.js'
export * from './json-pointer.js'
