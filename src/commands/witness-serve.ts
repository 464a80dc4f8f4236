import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import closeWithGrace from 'close-with-grace'
import { pino } from 'pino'
import type { KeyObject } from 'node:crypto'
import { processIo, type CommandIo } from './command-io.js'
import { formatCosignatureVerifierKey, publicKeyBytes } from '../core/note/index.js'
import { loggerOptions } from '../logger.js'
import { parsePrivateKey } from '../plugins/load-signing-key.js'
import { buildWitnessApp } from '../witness-server/build-witness-app.js'
import { lockStateDir } from '../witness-server/lock-state-dir.js'
import { Witness } from '../witness-server/witness.js'
import { witnessConfig, WitnessConfigError, type WitnessServerConfig, type WitnessSettings } from '../witness-server/witness-config.js'
import { WitnessStore } from '../witness-server/witness-store.js'

export const serveUsage = `usage: audit-service witness serve [--config <file.json>] --name <witness name> --key-file <file>
         --state <dir> --log "<origin> <log verifier key> [<key> ...]" [--log ...]
         [--listen <host:port>] [--prefix </path>] [--log-level <level>]

Runs a C2SP tlog-witness (https://c2sp.org/tlog-witness): POST <prefix>/add-checkpoint cosigns
a log's checkpoint (cosignature/v1, Ed25519) when one of the log's keys signed it and it is
consistent with the last checkpoint this witness cosigned for that origin; GET /health.
Any C2SP log can be witnessed, not only audit-service: a log is its origin line and the
verifier keys (name+id+base64, type 0x01) that sign its checkpoints.

  --name       the witness's key name, in its cosignatures (e.g. witness.example/w1)
  --key-file   its Ed25519 key: PKCS#8 PEM or DER, or a 32-byte seed in hex or base64
               (or WITNESS_KEY in the environment); make one with \`witness keygen\`
  --state      directory of what it cosigned, one file per log, flushed to disk before each
               answer; one witness process per directory. Losing it means the witness
               must be retired (it could then cosign a fork), not restarted empty.
  --listen     default 127.0.0.1:7380
  --config     a JSON file with any of { name, keyFile, listen, stateDir, prefix, logLevel,
               logs: [{ origin, keys: [...] }] }; flags win over it, --log adds logs.

It prints its cosignature verifier key (type 0x04) at start: give it to the logs it witnesses.
Exit status: 78 for an invalid configuration, 2 for bad usage.`

async function readSettings (path: string | undefined): Promise<WitnessSettings> {
  if (path === undefined) return {}
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new WitnessConfigError(`--config: cannot read ${path}: ${(err as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new WitnessConfigError(`--config: ${path} is not JSON: ${(err as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new WitnessConfigError(`--config: ${path} must hold a JSON object`)
  return parsed as WitnessSettings
}

async function witnessKey (config: WitnessServerConfig): Promise<KeyObject> {
  try {
    return parsePrivateKey(config.keyFile !== undefined ? await readFile(config.keyFile) : config.key as string)
  } catch (err) {
    throw new WitnessConfigError(`${config.keyFile !== undefined ? `--key-file ${config.keyFile}` : 'WITNESS_KEY'}: ${(err as Error).message}`)
  }
}

/** `audit-service witness serve`: a tlog-witness HTTP server. Resolves once it listens. */
export async function witnessServe (args: string[], io: CommandIo = processIo): Promise<number> {
  let values
  try {
    values = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        name: { type: 'string' },
        'key-file': { type: 'string' },
        state: { type: 'string' },
        log: { type: 'string', multiple: true },
        listen: { type: 'string' },
        prefix: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean' }
      }
    }).values
  } catch (err) {
    io.err(`${(err as Error).message}\n${serveUsage}\n`)
    return 2
  }
  if (values.help === true) {
    io.out(serveUsage + '\n')
    return 0
  }
  let config: WitnessServerConfig
  let privateKey: KeyObject
  try {
    const file = await readSettings(values.config)
    const env = process.env.WITNESS_KEY
    config = witnessConfig({
      ...file,
      ...(values.name !== undefined && { name: values.name }),
      ...(values['key-file'] !== undefined && { keyFile: values['key-file'] }),
      ...(env !== undefined && env !== '' && file.key === undefined && { key: env }),
      ...(values.state !== undefined && { stateDir: values.state }),
      ...(values.listen !== undefined && { listen: values.listen }),
      ...(values.prefix !== undefined && { prefix: values.prefix }),
      ...(values['log-level'] !== undefined && { logLevel: values['log-level'] })
    }, values.log ?? [])
    privateKey = await witnessKey(config)
  } catch (err) {
    if (!(err instanceof WitnessConfigError)) throw err
    io.err(`audit-service witness serve: invalid configuration: ${err.message}\n`)
    return 78
  }

  const logger = pino(loggerOptions(config.logLevel, 'audit-witness'))
  const store = await WitnessStore.open(config.stateDir)
  let unlock: () => Promise<void>
  try {
    unlock = await lockStateDir(config.stateDir)
  } catch (err) {
    io.err(`audit-service witness serve: ${(err as Error).message}\n`)
    return 78
  }
  const verifierKey = formatCosignatureVerifierKey(config.name, publicKeyBytes(privateKey))
  const witness = new Witness({ signer: { name: config.name, privateKey }, logs: config.logs, store })
  const app = await buildWitnessApp({ witness, loggerInstance: logger, prefix: config.prefix })
  app.addHook('onClose', async () => { await unlock() })
  // On SIGTERM: stop accepting, let in-flight requests finish (each has recorded its state or
  // not, and answers accordingly), then give up the state directory.
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err !== undefined) app.log.error({ err }, 'witness closing after error')
    else app.log.info({ signal }, 'witness closing')
    await app.close()
  })
  logger.info({ verifierKey, logs: config.logs.map(log => log.origin), stateDir: config.stateDir }, 'witness key (cosignature/v1): give this verifier key to the logs it witnesses')
  try {
    const url = await app.listen({ host: config.host, port: config.port })
    logger.info({ url: `${url}${config.prefix}` }, 'witness listening')
  } catch (err) {
    io.err(`audit-service witness serve: cannot listen on ${config.host}:${config.port}: ${(err as Error).message}\n`)
    await app.close()
    return 1
  }
  return 0
}
