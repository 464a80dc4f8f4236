import { formatTileIndexPath, parseTileIndexPath } from './tile-index-path.js'
import type { TileRef } from './tile-ref.js'

// Levels as decimal without leading zeros; 8 * 63 is past any tree, so a higher level is no tile.
const LEVEL = /^(?:0|[1-9]\d?)$/
const MAX_LEVEL = 63

/** The tile's path below the log's prefix: `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`. */
export function formatTilePath (tile: TileRef): string {
  const n = formatTileIndexPath(tile.index, tile.width)
  if (tile.kind === 'entries') return `tile/entries/${n}`
  if (!Number.isInteger(tile.level) || tile.level < 0 || tile.level > MAX_LEVEL) throw new RangeError(`tile level must be 0-${MAX_LEVEL}, got ${String(tile.level)}`)
  return `tile/${tile.level}/${n}`
}

/**
 * Parses `<L or entries>` and `<N>[.p/<W>]`, the two parts of a tile path after `tile/`, as
 * the routes receive them. Undefined when either is not the one canonical spelling.
 */
export function parseTilePath (level: string, indexPath: string): TileRef | undefined {
  const at = parseTileIndexPath(indexPath)
  if (at === undefined) return undefined
  if (level === 'entries') return { kind: 'entries', ...at }
  if (!LEVEL.test(level) || Number(level) > MAX_LEVEL) return undefined
  return { kind: 'hash', level: Number(level), ...at }
}
