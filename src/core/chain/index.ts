/**
 * The audit record and its per-tenant SHA-256 hash chain: the record's shape, the genesis hash,
 * the chain hash of each link, the content checks, and the pure ChainBatch that links and hashes
 * a batch of events before it is stored.
 *
 * Pure: no I/O. The only way into this module from outside it.
 */
export * from './audit-record.js'
export * from './canonical-at.js'
export * from './chain-batch.js'
export * from './chain-hash.js'
export * from './chain-position.js'
export * from './genesis-hash.js'
