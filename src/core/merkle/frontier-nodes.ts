import { rangeNodes } from './range-nodes.js'
import type { TreeNode } from './tree-node.js'

/**
 * Perfect subtrees making up a tree of `size` leaves (one per set bit of
 * `size`), largest first. Their hashes folded with `rootFromNodes` give
 * the tree root, and they are exactly the hashes a `CompactRange` holds.
 */
export function frontierNodes (size: number): TreeNode[] {
  return rangeNodes(0, size)
}
