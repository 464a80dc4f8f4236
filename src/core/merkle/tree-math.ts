// Internal integer helpers for tree sizes. Sizes exceed 2^32, so bitwise
// operators (which truncate to int32) are off limits; plain arithmetic stays
// exact up to Number.MAX_SAFE_INTEGER.

/** @throws {RangeError} unless `n` is a non-negative safe integer. */
export function assertSize (n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${String(n)}`)
  }
}

/** True when `n` is a non-negative safe integer; the non-throwing twin of assertSize. */
export function isSize (n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}

/** Number of one bits in `n`. */
export function popcount (n: number): number {
  let count = 0
  while (n > 0) {
    if (n % 2 === 1) count++
    n = Math.floor(n / 2)
  }
  return count
}

/** Largest power of two strictly below `n` (the RFC 6962 split point `k`); needs n >= 2. */
export function splitPoint (n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** 2^level for level in [0, 53]. */
export function pow2 (level: number): number {
  return 2 ** level
}
