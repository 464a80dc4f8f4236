import type { TreeNode } from '../merkle/index.js'
import { TILE_HEIGHT, TILE_WIDTH } from './tile-geometry.js'
import type { TileRef } from './tile-ref.js'

/**
 * The tree nodes a hash tile holds, in order: at tree level 8L, indices N*256 .. N*256+W-1.
 * (An entry bundle holds leaves: level 0, the same indices.)
 */
export function tileNodes (tile: TileRef): TreeNode[] {
  const level = tile.kind === 'hash' ? tile.level * TILE_HEIGHT : 0
  const first = tile.index * TILE_WIDTH
  return Array.from({ length: tile.width }, (_, i) => ({ level, index: first + i }))
}

/**
 * The smallest tree that holds the whole tile: its last node (level h, index i) is complete
 * once the tree has (i + 1) * 2^h leaves. A tile is served only from a tree at least this big.
 * Past safe integers the answer is Infinity: no log is that large.
 */
export function tileTreeSize (tile: TileRef): number {
  const level = tile.kind === 'hash' ? tile.level * TILE_HEIGHT : 0
  const size = (tile.index * TILE_WIDTH + tile.width) * 2 ** level
  return Number.isSafeInteger(size) ? size : Number.POSITIVE_INFINITY
}
