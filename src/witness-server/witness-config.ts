import { ORIGIN } from '../core/checkpoint/index.js'
import { hasValidNoteChars, keyNameProblem, parseVerifierKey } from '../core/note/index.js'
import type { WitnessedLog } from './witness.js'

/** Everything `audit-service witness serve` runs with. */
export interface WitnessServerConfig {
  /** The witness's key name, in every cosignature line. */
  name: string
  /** A file with the witness's Ed25519 key (PKCS#8 PEM or DER, or a 32-byte seed in hex or base64). */
  keyFile?: string
  /** The same key material inline (WITNESS_KEY); keyFile wins when both are given. */
  key?: string
  host: string
  port: number
  stateDir: string
  /** The tlog-witness submission prefix ('' or '/something'). */
  prefix: string
  logLevel: string
  logs: WitnessedLog[]
}

/** The settings as given: a JSON config file's members, then flags over them. */
export interface WitnessSettings {
  name?: unknown
  keyFile?: unknown
  key?: unknown
  listen?: unknown
  stateDir?: unknown
  prefix?: unknown
  logLevel?: unknown
  /** `[{ origin, keys: [verifier key, ...] }]` */
  logs?: unknown
}

/** A configuration the witness cannot run with; the message names the setting. */
export class WitnessConfigError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'WitnessConfigError'
  }
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])

function listenAddress (value: unknown): { host: string, port: number } {
  const text = typeof value === 'string' ? value : ''
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text)
  const port = Number(match?.[3])
  const host = match?.[1] ?? match?.[2] ?? ''
  if (match === null || host === '' || port > 65535) throw new WitnessConfigError(`listen must be host:port (e.g. 127.0.0.1:7380 or [::1]:7380), got ${JSON.stringify(value)}`)
  return { host, port }
}

function witnessedLog (value: unknown, index: number): WitnessedLog {
  const where = `logs[${index}]`
  const { origin, keys } = (typeof value === 'object' && value !== null ? value : {}) as { origin?: unknown, keys?: unknown }
  // Any C2SP log: its origin is the first line of its checkpoints, no more is required.
  if (typeof origin !== 'string' || !ORIGIN.test(origin) || !hasValidNoteChars(origin)) {
    throw new WitnessConfigError(`${where}.origin must be a checkpoint origin line (non-empty, no spaces or control characters), got ${JSON.stringify(origin)}`)
  }
  if (!Array.isArray(keys) || keys.length === 0) throw new WitnessConfigError(`${where} (${origin}): keys must list at least one C2SP verifier key of the log`)
  const verifiers = keys.map((key: unknown, k) => {
    try {
      return parseVerifierKey(key as string)
    } catch (err) {
      throw new WitnessConfigError(`${where} (${origin}): keys[${k}]: ${(err as Error).message}`)
    }
  })
  return { origin, verifiers }
}

/**
 * Reads and checks the witness's settings. A `--log` flag is `<origin> <verifier key> [...]`
 * (neither contains a space); the flags' logs are added to the file's.
 *
 * @throws {WitnessConfigError} naming the first bad setting.
 */
export function witnessConfig (settings: WitnessSettings, flagLogs: readonly string[] = []): WitnessServerConfig {
  const name = settings.name
  const problem = keyNameProblem(name)
  if (problem !== undefined) throw new WitnessConfigError(`name (the witness's key name) ${problem}`)
  const keyFile = settings.keyFile
  const key = settings.key
  if (keyFile !== undefined && (typeof keyFile !== 'string' || keyFile === '')) throw new WitnessConfigError('keyFile must be a path')
  if (key !== undefined && (typeof key !== 'string' || key === '')) throw new WitnessConfigError('the key (WITNESS_KEY) must be key material')
  if (keyFile === undefined && key === undefined) throw new WitnessConfigError('the witness needs its key: keyFile (--key-file) or WITNESS_KEY (make one with `audit-service witness keygen`)')
  const stateDir = settings.stateDir
  if (typeof stateDir !== 'string' || stateDir === '') throw new WitnessConfigError('stateDir (--state) must be the directory where the witness keeps what it cosigned')
  const prefix = settings.prefix ?? ''
  if (typeof prefix !== 'string' || !/^(?:\/[A-Za-z0-9._~-]+)*$/.test(prefix)) throw new WitnessConfigError(`prefix must be empty or like /witness, got ${JSON.stringify(prefix)}`)
  const logLevel = settings.logLevel ?? 'info'
  if (typeof logLevel !== 'string' || !LEVELS.has(logLevel)) throw new WitnessConfigError(`logLevel must be one of ${[...LEVELS].join(', ')}`)
  const fileLogs = settings.logs ?? []
  if (!Array.isArray(fileLogs)) throw new WitnessConfigError('logs must be a list of { origin, keys }')
  const flagged = flagLogs.map(flag => {
    const [origin, ...keys] = flag.trim().split(/ +/)
    return { origin, keys }
  })
  const logs = [...fileLogs, ...flagged].map(witnessedLog)
  if (logs.length === 0) throw new WitnessConfigError('no log to witness: give logs in the config file or --log "<origin> <verifier key>"')
  const seen = new Set<string>()
  for (const { origin } of logs) {
    if (seen.has(origin)) throw new WitnessConfigError(`the log ${origin} is listed twice: give all its keys in one entry`)
    seen.add(origin)
  }
  return {
    name: name as string,
    ...(keyFile !== undefined && { keyFile: keyFile as string }),
    ...(key !== undefined && { key: key as string }),
    ...listenAddress(settings.listen ?? '127.0.0.1:7380'),
    stateDir,
    prefix,
    logLevel,
    logs
  }
}
