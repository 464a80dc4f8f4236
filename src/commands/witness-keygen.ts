import { generateKeyPairSync } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { processIo, type CommandIo } from './command-io.js'
import { formatCosignatureVerifierKey, keyNameProblem, publicKeyBytes } from '../core/note/index.js'
import { parsePrivateKey } from '../plugins/load-signing-key.js'

export const keygenUsage = `usage: audit-service witness keygen --name <witness name> --out <file>
       audit-service witness keygen --name <witness name> --key-file <file>

Writes a new Ed25519 witness key to --out (PKCS#8 PEM, mode 0600; an existing file is never
overwritten) and prints the witness's cosignature verifier key
(<name>+<key id>+<base64(0x04 || key)>, C2SP tlog-cosignature), the line logs configure.
With --key-file instead of --out, prints the verifier key of an existing key.`

/** `audit-service witness keygen`: a witness key for `witness serve`, and the verifier key to publish. */
export async function witnessKeygen (args: string[], io: CommandIo = processIo): Promise<number> {
  let values
  try {
    values = parseArgs({ args, options: { name: { type: 'string' }, out: { type: 'string' }, 'key-file': { type: 'string' }, help: { type: 'boolean' } } }).values
  } catch (err) {
    io.err(`${(err as Error).message}\n${keygenUsage}\n`)
    return 2
  }
  if (values.help === true) {
    io.out(keygenUsage + '\n')
    return 0
  }
  if (values.name === undefined || (values.out === undefined) === (values['key-file'] === undefined)) {
    io.err(keygenUsage + '\n')
    return 2
  }
  const problem = keyNameProblem(values.name)
  if (problem !== undefined) {
    io.err(`audit-service witness keygen: --name ${problem}\n`)
    return 2
  }
  try {
    let key
    if (values.out !== undefined) {
      key = generateKeyPairSync('ed25519').privateKey
      await writeFile(values.out, key.export({ format: 'pem', type: 'pkcs8' }), { flag: 'wx', mode: 0o600 })
    } else {
      key = parsePrivateKey(await readFile(values['key-file'] as string))
    }
    io.out(`${formatCosignatureVerifierKey(values.name, publicKeyBytes(key))}\n`)
    return 0
  } catch (err) {
    io.err(`audit-service witness keygen: ${(err as Error).message}\n`)
    return 1
  }
}
