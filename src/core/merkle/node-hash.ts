import { hash } from 'node:crypto'

/** RFC 6962 interior node hash: SHA-256(0x01 || left || right). */
export function nodeHash (left: Uint8Array, right: Uint8Array): Buffer {
  const input = Buffer.allocUnsafe(1 + left.length + right.length)
  input[0] = 0x01
  input.set(left, 1)
  input.set(right, 1 + left.length)
  return hash('sha256', input, 'buffer')
}
