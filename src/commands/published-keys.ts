import { readFile } from 'node:fs/promises'

/** What a saved `/.well-known/audit-log-keys?tenant=<t>` answer gives a verifier. */
export interface PublishedKeys {
  /** Every concrete verifier key of the answer: the tenant's active, next, retired and legacy keys. */
  keys: string[]
  /** The log's origin, when all the keys name one. */
  origin?: string
}

/**
 * Reads the file given to `--keys`: the JSON answer of `GET /.well-known/audit-log-keys?tenant=<t>`,
 * saved once from a source you trust. Templates (the answer without `?tenant`) carry no key id
 * and are refused: a tenant's key is named after its origin.
 *
 * @throws {Error} when the file is not such an answer.
 */
export async function readPublishedKeys (file: string): Promise<PublishedKeys> {
  let answer: unknown
  try {
    answer = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new Error(`--keys ${file}: ${(err as Error).message}`)
  }
  const entries = (answer as { keys?: unknown } | null)?.keys
  if (!Array.isArray(entries)) throw new Error(`--keys ${file}: not a /.well-known/audit-log-keys answer (no "keys" array)`)
  const concrete = entries.filter((k): k is { verifier_key: string, origin?: unknown } => typeof (k as { verifier_key?: unknown } | null)?.verifier_key === 'string')
  if (concrete.length === 0) throw new Error(`--keys ${file}: no concrete verifier key; save the answer of /.well-known/audit-log-keys?tenant=<tenant>`)
  const origins = new Set(concrete.map(k => k.origin).filter((o): o is string => typeof o === 'string'))
  const [origin] = origins
  return { keys: concrete.map(k => k.verifier_key), ...(origins.size === 1 && origin !== undefined && { origin }) }
}
