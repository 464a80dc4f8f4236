/** True when `list` is an array of 32-byte Uint8Arrays; guards untrusted proof input. */
export function isHashList (list: unknown): list is Uint8Array[] {
  return Array.isArray(list) && list.every((h) => h instanceof Uint8Array && h.length === 32)
}
