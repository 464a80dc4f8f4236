import { hash } from 'node:crypto'

/**
 * RFC 6962 leaf hash: SHA-256(0x00 || data), a string's data being its UTF-8 bytes. The prefix
 * keeps leaves and nodes from colliding. One-shot `hash` over one buffer: a streaming hash
 * object costs about as much again as the hashing of a short leaf.
 */
export function leafHash (data: Uint8Array | string): Buffer {
  if (typeof data === 'string') return hash('sha256', `\0${data}`, 'buffer')
  const input = Buffer.allocUnsafe(1 + data.length)
  input[0] = 0x00
  input.set(data, 1)
  return hash('sha256', input, 'buffer')
}
