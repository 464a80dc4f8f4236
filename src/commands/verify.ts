import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { parseVerifierKey } from '../core/note/index.js'
import { verifyExport } from '../verification/verify-export.js'
import { readPublishedKeys } from './published-keys.js'

const usage = `usage: audit-service verify <export.ndjson> (--key <verifier key> [--key ...] | --keys <keys.json>)
         [--origin <origin>] [--json]

Checks an export offline: canonical bytes, every chain link and hash, the Merkle root at
each checkpoint, and each checkpoint's signature by one of the given keys. Exits 0 only when
all of it holds.

A tenant's keys are named after its log's origin: get them from
GET /.well-known/audit-log-keys?tenant=<tenant> (its active, next, retired and legacy keys),
and pass each with --key, or the saved answer with --keys (which also pins its origin).`

/** `audit-service verify`: the offline verifier. Returns the exit code. */
export async function verify (args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { key: { type: 'string', multiple: true }, keys: { type: 'string' }, origin: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } }
  })
  if (values.help === true || positionals.length !== 1 || (values.key === undefined && values.keys === undefined)) {
    process.stderr.write(usage + '\n')
    return values.help === true ? 0 : 2
  }
  const file = positionals[0]!
  const published = values.keys === undefined ? undefined : await readPublishedKeys(values.keys)
  const verifiers = [...values.key ?? [], ...published?.keys ?? []].map(k => parseVerifierKey(k))
  const origin = values.origin ?? published?.origin
  const size = (await stat(file)).size
  const input = createReadStream(file)
  const showProgress = process.stderr.isTTY && size > 1_000_000
  const progress = () => {
    const percent = Math.min(100, Math.floor(input.bytesRead / size * 100))
    const bar = '#'.repeat(Math.floor(percent / 4)).padEnd(25, '.')
    process.stderr.write(`\r[${bar}] ${percent}%`)
  }
  const result = await verifyExport(input, {
    verifiers,
    ...(origin !== undefined && { origin }),
    ...(showProgress && { onProgress: progress })
  })
  if (showProgress) process.stderr.write('\n')
  if (values.json === true) {
    process.stdout.write(JSON.stringify(result) + '\n')
  } else if (result.valid) {
    process.stdout.write(`OK: ${result.checked} records of ${result.origin} verified, ${result.checkpoints_checked} signed checkpoints match; head seq ${result.head?.seq ?? 0} hash ${result.head?.hash ?? '-'}\n`)
  } else {
    const e = result.first_error!
    process.stdout.write(`FAILED at seq ${e.seq}: ${e.kind}: ${e.detail} (${result.checked} records verified before it)\n`)
  }
  return result.valid ? 0 : 1
}
