import { TILE_WIDTH } from './tile-geometry.js'

// Seven groups of three digits reach 10^21, past any uint64 index: a longer path is no index.
const INDEX = /^(?:x\d{3}\/){0,6}\d{3}$/
const WIDTH = /^[1-9]\d{0,2}$/

/**
 * The `<N>[.p/<W>]` part of a tile path: N in groups of three decimal digits, all but the last
 * prefixed with `x` (1234067 -> `x001/x234/067`), and `.p/<W>` for a partial tile of width
 * 1 <= W < 256. A full tile has no suffix (`width` 256).
 *
 * @example
 * formatTileIndexPath(1234067, 256) // 'x001/x234/067'
 * formatTileIndexPath(3, 17)        // '003.p/17'
 */
export function formatTileIndexPath (index: number, width: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`tile index must be a non-negative safe integer, got ${String(index)}`)
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw new RangeError(`tile width must be 1-${TILE_WIDTH}, got ${String(width)}`)
  const digits = String(index)
  const padded = digits.padStart(Math.ceil(digits.length / 3) * 3, '0')
  const groups = padded.match(/\d{3}/g)!
  const n = groups.map((g, i) => i < groups.length - 1 ? `x${g}` : g).join('/')
  return width === TILE_WIDTH ? n : `${n}.p/${width}`
}

/**
 * Parses `<N>[.p/<W>]` strictly: only the one spelling `formatTileIndexPath` gives is accepted
 * (no leading `x000/` group, no `.p/0`, `.p/256` or `.p/07`), so every tile has one URL and
 * one cache entry. Undefined when malformed. An N past 2^53 parses to a number past any
 * log this service can hold, which the caller answers as out of range.
 */
export function parseTileIndexPath (path: string): { index: number, width: number } | undefined {
  const dot = path.indexOf('.p/')
  const n = dot === -1 ? path : path.slice(0, dot)
  const w = dot === -1 ? undefined : path.slice(dot + 3)
  if (!INDEX.test(n)) return undefined
  const groups = n.split('/')
  if (groups.length > 1 && groups[0] === 'x000') return undefined
  const index = Number(groups.map(g => g.replace('x', '')).join(''))
  if (w === undefined) return { index, width: TILE_WIDTH }
  if (!WIDTH.test(w)) return undefined
  const width = Number(w)
  return width < TILE_WIDTH ? { index, width } : undefined
}
