import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto'
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { ConfigError, type Config } from '../config.js'
import { formatVerifierKey, parseVerifierKey, publicKeyBytes, type ParsedVerifierKey } from '../core/note/index.js'

/**
 * The log's current Ed25519 key: signs checkpoints and receipts. Each tenant's notes carry it
 * under the name of the tenant's origin (LogKeys); `name` and `verifierKey` are its legacy
 * identity (SIGNING_KEY_NAME), the one name all notes had before.
 */
export interface SigningKey {
  name: string
  privateKey: KeyObject
  publicKey: Buffer
  /** `<name>+<hex key id>+<base64(0x01 || key)>` */
  verifierKey: string
  verifier: ParsedVerifierKey
  /** True for a key generated on this machine because none was configured. */
  development: boolean
}

/** Where the key comes from: SIGNING_KEY_NAME, SIGNING_KEY, SIGNING_KEY_FILE, DEV_KEY_DIR. */
export interface SigningKeySource {
  name: string
  /** Key material from the environment: PKCS#8 PEM, or a raw 32-byte seed in hex or base64. */
  key?: string
  /** A file with the same choices, or PKCS#8 DER. */
  keyFile?: string
  /** Where a development key is kept when neither is given (never inside the repository). */
  devKeyDir: string
  /** SIGNING_KEY_NEXT: a rotation's incoming key, same encodings as `key`. */
  nextKey?: string
  /** SIGNING_KEY_NEXT_FILE */
  nextKeyFile?: string
}

export interface LoadSigningKeyOptions extends SigningKeySource {
  logger: Logger
}

/** The key's source as configured; the API and the worker load the same key from it. */
export function signingKeyOptions (config: Pick<Config, 'signingKeyName' | 'devKeyDir' | 'signingKey' | 'signingKeyFile'> & Partial<Pick<Config, 'signingKeyNext' | 'signingKeyNextFile'>>): SigningKeySource {
  return {
    name: config.signingKeyName,
    devKeyDir: config.devKeyDir,
    ...(config.signingKey !== undefined && { key: config.signingKey }),
    ...(config.signingKeyFile !== undefined && { keyFile: config.signingKeyFile }),
    ...(config.signingKeyNext !== undefined && { nextKey: config.signingKeyNext }),
    ...(config.signingKeyNextFile !== undefined && { nextKeyFile: config.signingKeyNextFile })
  }
}

/**
 * The current key and, during a rotation, the incoming one.
 *
 * @throws {ConfigError} when the incoming key is the current one.
 */
export async function loadSigningKeys (options: LoadSigningKeyOptions): Promise<{ key: SigningKey, next?: { privateKey: KeyObject, publicKey: Buffer } }> {
  const key = await loadSigningKey(options)
  const next = await loadNextSigningKey(options)
  if (next === undefined) return { key }
  if (next.publicKey.equals(key.publicKey)) {
    throw new ConfigError(options.nextKey !== undefined ? 'SIGNING_KEY_NEXT' : 'SIGNING_KEY_NEXT_FILE', 'is the current signing key: the incoming key of a rotation must be a new one')
  }
  return { key, next }
}

/** The rotation's incoming key (SIGNING_KEY_NEXT / SIGNING_KEY_NEXT_FILE), when one is configured. */
export async function loadNextSigningKey (source: SigningKeySource): Promise<{ privateKey: KeyObject, publicKey: Buffer } | undefined> {
  let privateKey: KeyObject
  if (source.nextKey !== undefined) privateKey = parsePrivateKey(source.nextKey)
  else if (source.nextKeyFile !== undefined) privateKey = parsePrivateKey(await readFile(source.nextKeyFile))
  else return undefined
  return { privateKey, publicKey: publicKeyBytes(createPublicKey(privateKey)) }
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')

/**
 * Reads an Ed25519 private key in any of the accepted encodings (PKCS#8 PEM or DER, a 32-byte
 * seed in hex or base64). Also reads a witness's key (`audit-service witness serve`).
 */
export function parsePrivateKey (material: Buffer | string): KeyObject {
  const text = Buffer.isBuffer(material) ? material.toString('utf8') : material
  const trimmed = text.trim()
  let key: KeyObject
  if (trimmed.includes('-----BEGIN')) {
    key = createPrivateKey({ key: trimmed, format: 'pem' })
  } else if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    key = seedToKey(Buffer.from(trimmed, 'hex'))
  } else if (/^[A-Za-z0-9+/]{43}=$/.test(trimmed)) {
    key = seedToKey(Buffer.from(trimmed, 'base64'))
  } else if (Buffer.isBuffer(material)) {
    key = createPrivateKey({ key: material, format: 'der', type: 'pkcs8' })
  } else {
    throw new Error('signing key must be PKCS#8 (PEM or DER) or a 32-byte Ed25519 seed in hex or base64')
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`signing key must be Ed25519, got ${key.asymmetricKeyType}`)
  return key
}

function seedToKey (seed: Buffer): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' })
}

/**
 * Loads the configured key, or makes a development key on first start and reuses it after.
 * Several processes may start at once: the first to create the file wins, the others read it.
 */
export async function loadSigningKey (options: LoadSigningKeyOptions): Promise<SigningKey> {
  let privateKey: KeyObject
  let development = false
  if (options.key !== undefined) {
    privateKey = parsePrivateKey(options.key)
  } else if (options.keyFile !== undefined) {
    privateKey = parsePrivateKey(await readFile(options.keyFile))
  } else {
    development = true
    privateKey = await developmentKey(options.devKeyDir)
  }
  const publicKey = publicKeyBytes(createPublicKey(privateKey))
  const verifierKey = formatVerifierKey(options.name, publicKey)
  if (development) {
    // Not the verifier key under the legacy name: each tenant's key is named after its origin,
    // and a reader copying a line from the log would pin one that opens no new checkpoint.
    options.logger.warn({ publicKey: publicKey.toString('base64'), verifierKeys: '/.well-known/audit-log-keys?tenant=<tenant>', dir: options.devKeyDir },
      'NO SIGNING KEY CONFIGURED: using a development key generated on this machine. Set SIGNING_KEY or SIGNING_KEY_FILE in production; checkpoints signed with this key prove nothing to anyone else.')
  }
  return { name: options.name, privateKey, publicKey, verifierKey, verifier: parseVerifierKey(verifierKey), development }
}

async function developmentKey (dir: string): Promise<KeyObject> {
  const path = join(dir, 'dev-signing-key.pem')
  try {
    return parsePrivateKey(await readFile(path))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const { privateKey } = generateKeyPairSync('ed25519')
  // Written aside, then linked into place: a concurrent reader never sees a half-written file.
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temp, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 })
  try {
    await link(temp, path)
    return privateKey
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    return parsePrivateKey(await readFile(path))
  } finally {
    await unlink(temp)
  }
}
