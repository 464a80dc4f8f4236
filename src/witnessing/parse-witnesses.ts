import { parseCosignatureVerifierKey, type ParsedCosignatureVerifierKey } from '../core/note/index.js'

/** One witness the log asks for cosignatures (an entry of WITNESSES). */
export interface WitnessConfig {
  /** Its C2SP cosignature verifier key, `<name>+<hex key id>+<base64(0x04 || key)>`, as configured. */
  verifierKey: string
  key: ParsedCosignatureVerifierKey
  /** `<name>+<hex key id>`: how the log names the witness in its tables, logs and metrics. */
  id: string
  /** Its submission prefix: add-checkpoint is POSTed to `<url>/add-checkpoint`. */
  url: string
}

/**
 * Reads WITNESSES: entries separated by commas or newlines, each a witness's verifier key and
 * its URL separated by spaces: `<vkey> <url>, <vkey> <url>`. Neither a verifier key (name and
 * base64) nor a URL holds a space, so the form has one reading. Empty: no witnesses.
 *
 * @example
 * parseWitnesses('witness.example/w1+1c0ffee0+BHb… https://w1.example/')
 * @throws {Error} naming the entry (by position) and what is wrong with it.
 */
export function parseWitnesses (value: string): WitnessConfig[] {
  const entries = value.split(/[,\n]/).map(e => e.trim()).filter(e => e !== '')
  const witnesses: WitnessConfig[] = []
  entries.forEach((entry, i) => {
    const where = `entry ${i + 1}`
    const parts = entry.split(/\s+/)
    if (parts.length !== 2) throw new Error(`${where} must be "<verifier key> <url>" (${parts.length === 1 ? 'no URL' : `${parts.length} words`})`)
    const [verifierKey, url] = parts as [string, string]
    let key: ParsedCosignatureVerifierKey
    try {
      key = parseCosignatureVerifierKey(verifierKey)
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message} (a C2SP cosignature verifier key: <name>+<key id>+<base64(0x04 || key)>)`)
    }
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new Error(`${where}: ${JSON.stringify(url)} is not a URL`)
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error(`${where}: the URL must use http: or https:, got ${parsed.protocol}`)
    if (parsed.search !== '' || parsed.hash !== '') throw new Error(`${where}: the URL is a prefix: no query or fragment`)
    const id = `${key.name}+${key.keyId.toString('hex')}`
    if (witnesses.some(w => w.id === id)) throw new Error(`${where}: witness ${id} is listed twice`)
    witnesses.push({ verifierKey, key, id, url: parsed.href.replace(/\/+$/, '') })
  })
  return witnesses
}

/**
 * Reads WITNESS_POLICY: how many of the `count` witnesses must cosign a checkpoint, as `N` or
 * `N of M` (M must be the number of witnesses, so a policy written for another list is
 * refused). Empty: all of them.
 */
export function parseWitnessPolicy (value: string, count: number): number {
  const text = value.trim()
  if (text === '') return count
  const match = /^(\d+)(?:\s+of\s+(\d+))?$/.exec(text)
  if (match === null) throw new Error(`must be "N" or "N of M", got ${JSON.stringify(value)}`)
  const n = Number(match[1])
  if (match[2] !== undefined && Number(match[2]) !== count) throw new Error(`says of ${match[2]}, but WITNESSES lists ${count}`)
  if (count === 0) throw new Error('is set, but WITNESSES lists none')
  if (n < 1 || n > count) throw new Error(`must be between 1 and the number of witnesses (${count}), got ${n}`)
  return n
}
