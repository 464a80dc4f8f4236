/**
 * The RFC 6962 Merkle tree: leaf and node hashes, node math, compact ranges, inclusion and
 * consistency proofs (which nodes a proof needs, and checking one), and the small in-memory tree
 * over a batch of receipts.
 *
 * Pure: no I/O. The only way into this module from outside it.
 */
export * from './batch-tree.js'
export * from './compact-range.js'
export * from './consistency-proof.js'
export * from './empty-root.js'
export * from './frontier-nodes.js'
export * from './inclusion-proof.js'
export * from './is-hash-list.js'
export * from './leaf-hash.js'
export * from './node-hash.js'
export * from './node-location.js'
export * from './node-reader.js'
export * from './range-nodes.js'
export * from './read-range-hashes.js'
export * from './root-from-nodes.js'
export * from './tree-math.js'
export * from './tree-node.js'
export * from './verify-consistency.js'
export * from './verify-inclusion.js'
