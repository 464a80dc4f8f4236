// Pure core of the audit service: canonical JSON, hash chain, RFC 6962
// Merkle tree and proofs, C2SP signed notes and checkpoints, log verifier.
export * from './canonical-json.js'
export * from './chain-hash.js'
export * from './merkle.js'
export * from './merkle-proofs.js'
export * from './signed-note.js'
export * from './checkpoint.js'
export * from './log-verifier.js'
