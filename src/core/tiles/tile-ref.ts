/**
 * A tile of a C2SP tlog-tiles log: a hash tile `tile/<level>/<N>[.p/<W>]` or an entry bundle
 * `tile/entries/<N>[.p/<W>]`. `width` is 256 for a full tile, 1-255 for a partial one.
 */
export type TileRef =
  | { kind: 'hash', level: number, index: number, width: number }
  | { kind: 'entries', index: number, width: number }
