/**
 * A perfect subtree: level L, index k covers leaves [k * 2^L, (k + 1) * 2^L).
 * Level 0 nodes are leaf hashes.
 */
export interface TreeNode {
  level: number
  index: number
}
