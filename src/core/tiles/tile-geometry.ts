/** Tiles are 8 levels high: a full tile holds 2^8 = 256 hashes (or entries), C2SP tlog-tiles. */
export const TILE_HEIGHT = 8

/** Hashes (or entries) in a full tile; a partial tile holds 1 to 255. */
export const TILE_WIDTH = 256

/** The largest entry an entry bundle can hold: its length is a big-endian uint16. */
export const MAX_ENTRY_BYTES = 65_535
