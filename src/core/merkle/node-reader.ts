import type { TreeNode } from './tree-node.js'

/**
 * Batch fetch of stored perfect-subtree hashes, in request order. Batched so
 * a storage adapter can answer a whole proof with one query (see
 * `nodeLocation` for where each node lives). Must return one 32-byte hash
 * per requested node.
 */
export type NodeReader = (nodes: TreeNode[]) => Promise<Buffer[]>
