import { MAX_ENTRY_BYTES } from './tile-geometry.js'

/**
 * A C2SP tlog-tiles entry bundle: each entry as a big-endian uint16 length and its bytes.
 *
 * @throws {RangeError} when an entry is over 65,535 bytes (the format cannot carry it).
 */
export function encodeEntryBundle (entries: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = []
  for (const [i, entry] of entries.entries()) {
    if (entry.length > MAX_ENTRY_BYTES) throw new RangeError(`entry ${i} is ${entry.length} bytes, over the ${MAX_ENTRY_BYTES} an entry bundle can hold`)
    const length = Buffer.alloc(2)
    length.writeUInt16BE(entry.length)
    parts.push(length, Buffer.from(entry.buffer, entry.byteOffset, entry.length))
  }
  return Buffer.concat(parts)
}

/**
 * The entries of a bundle, in order.
 *
 * @throws {RangeError} when a length runs past the end of the bundle.
 */
export function decodeEntryBundle (bundle: Uint8Array): Buffer[] {
  const buf = Buffer.from(bundle.buffer, bundle.byteOffset, bundle.length)
  const entries: Buffer[] = []
  for (let at = 0; at < buf.length;) {
    if (at + 2 > buf.length) throw new RangeError(`entry bundle ends inside a length at byte ${at}`)
    const length = buf.readUInt16BE(at)
    if (at + 2 + length > buf.length) throw new RangeError(`entry at byte ${at} runs past the end of the bundle`)
    entries.push(Buffer.from(buf.subarray(at + 2, at + 2 + length)))
    at += 2 + length
  }
  return entries
}
