import { decodeBase64 } from './decode-base64.js'
import { isValidKeyName } from './is-valid-key-name.js'

/** One note signature line, split: who signed and the raw signature blob after the key ID. */
export interface SignatureLine {
  name: string
  keyId: Buffer
  signature: Buffer
}

/** How every signature line starts: an em dash and a space. */
export const SIGNATURE_LINE_PREFIX = '\u2014 '

/**
 * Splits `— <name> <base64(keyID || signature)>` (one C2SP signed-note signature line, without
 * its newline), or returns null when it is not one.
 */
export function parseSignatureLine (line: string): SignatureLine | null {
  if (typeof line !== 'string' || !line.startsWith(SIGNATURE_LINE_PREFIX)) return null
  const rest = line.slice(SIGNATURE_LINE_PREFIX.length)
  const space = rest.indexOf(' ')
  if (space < 0) return null
  const name = rest.slice(0, space)
  const blob = decodeBase64(rest.slice(space + 1))
  if (!isValidKeyName(name) || blob === null || blob.length < 5) return null
  return { name, keyId: blob.subarray(0, 4), signature: blob.subarray(4) }
}
