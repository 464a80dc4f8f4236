// RFC 9162 §2.1.3-2.1.4 inclusion and consistency proofs: generation from
// stored perfect-subtree hashes, and verification.
export type { NodeReader } from './node-reader.js'
export { inclusionProof } from './inclusion-proof.js'
export { consistencyProof } from './consistency-proof.js'
export { verifyInclusion } from './verify-inclusion.js'
export { verifyConsistency } from './verify-consistency.js'
export { rootFromNodes } from './root-from-nodes.js'
