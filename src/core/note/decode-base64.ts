const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * Strict RFC 4648 §4 decoding: padded standard alphabet, canonical trailing
 * bits. Returns null otherwise. Buffer.from(s, 'base64') alone would accept
 * garbage, url-safe characters and non-canonical forms, letting one signed
 * value have several encodings.
 */
export function decodeBase64 (s: string): Buffer | null {
  if (!STD_BASE64.test(s)) return null
  const bytes = Buffer.from(s, 'base64')
  return bytes.toString('base64') === s ? bytes : null
}
