/**
 * Witnessing (https://c2sp.org/tlog-witness, https://c2sp.org/tlog-cosignature): Ed25519
 * cosignature/v1 signing and verification, the add-checkpoint request format, and the checks a
 * witness makes before it cosigns.
 *
 * Pure: no I/O. The only way into this module from outside it.
 */
export * from './add-checkpoint-request-error.js'
export * from './add-checkpoint-request.js'
export * from './cosign-checkpoint.js'
export * from './cosignature-message.js'
export * from './judge-add-checkpoint.js'
export * from './open-cosignatures.js'
export * from './verify-cosignature.js'
