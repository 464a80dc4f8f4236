import { Type } from 'typebox'
import type { ResponseHeader } from './error.js'
import { TenantParam } from './tenant.js'

// The parts of a tile path the routes take: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`.
// The tile core parses them (strictly: one spelling per tile), so that a malformed one is told
// apart by the part named in the OpenAPI document (`L`, `N`); the router bounds their length.

export const TILE_INDEX_REASON = 'not a tile index: groups of 3 digits, all but the last prefixed with x (1234067 is x001/x234/067), optionally .p/<W> for a partial tile of width 1-255, in the one spelling the C2SP tlog-tiles spec gives'
export const TILE_LEVEL_REASON = 'not a tile level: a decimal integer 0-63 without leading zeros, or entries'

const tenant = Type.String({ ...TenantParam, description: 'Tenant whose log is read: a public one (`PUBLIC_TENANTS`) by anyone, another with a key of that tenant with `events:read` (or the admin key)' })
const indexPath = Type.String({ description: '`<N>[.p/<W>]`, the rest of the path (its slashes are part of it): the tile index N in groups of 3 digits, all but the last prefixed with `x`, and `.p/<W>` for a partial tile of width W (1-255)', examples: ['000', 'x001/x234/067', '003.p/17'] })

export const LogParams = Type.Object({ tenant })

export const HashTileParams = Type.Object({
  tenant,
  L: Type.String({ description: 'Tile level: the tile holds tree level 8L hashes', examples: ['0'] }),
  '*': indexPath
})

export const EntryBundleParams = Type.Object({ tenant, '*': indexPath })

/** A tile's bytes; the example stands for them (a document cannot show binary). */
export const BinaryTile = (description: string, example: string) => Type.String({ contentMediaType: 'application/octet-stream', description, examples: [example] })

/** Headers of a tile answer (200 and 304). */
export const TILE_HEADERS: Record<string, ResponseHeader> = {
  etag: { type: 'string', description: 'Strong ETag of the tile\'s bytes; send it back as `If-None-Match` for a 304', required: true },
  'cache-control': { type: 'string', description: 'A full tile never changes: `public, max-age=31536000, immutable` for a public log, `private, ...` for one read with a key. A partial tile: `max-age=5` (the full tile replaces it)', required: true }
}

export const CHECKPOINT_HEADERS: Record<string, ResponseHeader> = {
  'cache-control': { type: 'string', description: '`public, no-cache` (`private, no-cache` for a log read with a key): the checkpoint grows, ask again each time', required: true }
}
