import { hash, randomBytes } from 'node:crypto'

const PREFIX = 'ask_'
const KEY_FORMAT = /^ask_[A-Za-z0-9_-]{43}$/

/** A new random key (256 bits), shown once; only its hash is stored. */
export function generateApiKey (): { key: string, hash: Buffer, prefix: string } {
  const key = PREFIX + randomBytes(32).toString('base64url')
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 12) }
}

/**
 * SHA-256 of the whole key. Lookup goes through this hash, so the time a lookup takes says
 * nothing about how close a guess was to a real key.
 */
export function hashApiKey (key: string): Buffer {
  return hash('sha256', key, 'buffer')
}

export function looksLikeApiKey (value: string): boolean {
  return KEY_FORMAT.test(value)
}
