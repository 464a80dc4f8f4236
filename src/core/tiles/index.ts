/**
 * C2SP tlog-tiles: tile paths, which tree nodes a tile holds, entry bundles.
 *
 * Pure: no I/O. The only way into this module from outside it.
 */
export * from './entry-bundle.js'
export * from './tile-extent.js'
export * from './tile-geometry.js'
export * from './tile-index-path.js'
export * from './tile-path.js'
export * from './tile-ref.js'
