import { randomBytes } from 'node:crypto'

const MAX_TIMESTAMP = 2 ** 48 - 1
const MAX_COUNTER = 0xfff
// Seeds use only 11 of the counter's 12 bits, so every millisecond has room for
// at least 2048 ids before the counter rolls over (RFC 9562 section 6.2).
const SEED_MASK = 0x7ff
// A clock step back of up to this much keeps ids ordered by reusing the last
// timestamp; a bigger gap means the caller deliberately asked for an older time.
const REGRESSION_TOLERANCE_MS = 10_000
const RANDOM_BYTES_PER_ID = 10
// One randomBytes call per 256 ids rather than per id: ids are minted on the hot path.
const POOL_SIZE = RANDOM_BYTES_PER_ID * 256

let pool = Buffer.alloc(0)
let poolOffset = 0
let lastMs = -1
let counter = 0

/**
 * Returns a new RFC 9562 version 7 UUID in lowercase 8-4-4-4-12 form.
 *
 * Layout: 48-bit Unix millisecond timestamp, version `7`, a 12-bit counter
 * (rand_a), variant `10`, 62 random bits. Within one process, ids minted in the
 * same millisecond sort strictly after each other: the counter starts at a
 * random value each millisecond and increments; if it overflows, the timestamp
 * is advanced by 1 ms. Small clock regressions (up to 10 s) reuse the last
 * timestamp so ordering holds.
 *
 * @param now Unix time in milliseconds (fractions are dropped); defaults to `Date.now()`.
 * @throws RangeError if `now` is not within 0..2^48-1.
 */
export function uuidV7 (now: number = Date.now()): string {
  if (!(now >= 0 && now <= MAX_TIMESTAMP)) {
    throw new RangeError(`UUIDv7 timestamp must be within 0..2^48-1 ms, got ${now}`)
  }
  const ms = Math.floor(now)
  const random = takeRandomBytes()
  const seed = ((random[8]! << 8) | random[9]!) & SEED_MASK

  if (ms > lastMs || lastMs - ms > REGRESSION_TOLERANCE_MS) {
    lastMs = ms
    counter = seed
  } else if (counter < MAX_COUNTER) {
    counter += 1
  } else {
    if (lastMs === MAX_TIMESTAMP) throw new RangeError('UUIDv7 timestamp space exhausted')
    lastMs += 1
    counter = seed
  }

  const bytes = Buffer.allocUnsafe(16)
  // 48 bits do not fit a 32-bit bitwise op, so split into 32 high and 16 low bits.
  bytes.writeUInt32BE(Math.floor(lastMs / 0x10000), 0)
  bytes.writeUInt16BE(lastMs % 0x10000, 4)
  bytes[6] = 0x70 | (counter >>> 8)
  bytes[7] = counter & 0xff
  bytes[8] = 0x80 | (random[0]! & 0x3f)
  random.copy(bytes, 9, 1, 8)

  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

function takeRandomBytes (): Buffer {
  if (poolOffset + RANDOM_BYTES_PER_ID > pool.length) {
    pool = randomBytes(POOL_SIZE)
    poolOffset = 0
  }
  const slice = pool.subarray(poolOffset, poolOffset + RANDOM_BYTES_PER_ID)
  poolOffset += RANDOM_BYTES_PER_ID
  return slice
}
