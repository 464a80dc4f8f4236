import { homedir } from 'node:os'
import { join } from 'node:path'
import { logOrigin as logOriginOf, originProblem } from './core/checkpoint/index.js'
import { keyNameProblem } from './core/note/index.js'
import { parseWitnessPolicy, parseWitnesses, type WitnessConfig } from './witnessing/parse-witnesses.js'
import { MAX_ENTRY_BYTES } from './core/tiles/index.js'
import { isReceiptField } from './proofs/receipt.js'
import { parseScrubPatterns } from './ingest/parse-scrub-patterns.js'
import { normalizeKey } from './ingest/scrub-secrets.js'
import { SERVICE_ROLE_NAME } from './store/service-role.js'
import { effectiveQueuePrefix, parseRedisUrl } from './queue/parse-redis-url.js'

/** Everything the API and the worker read from the environment, validated once at start-up. */
export interface Config {
  databaseUrl: string
  redisUrl: string
  host: string
  port: number
  /** Port of the health listener thread (0: none). */
  healthPort: number
  logLevel: string
  queuePrefix: string
  /** Replicas that must hold an event's job before it is answered 202 (0: answer once the master has it). */
  redisWaitReplicas: number
  queueName: string
  defaultTenant: string
  bodyLimitBytes: number
  batchBodyLimitBytes: number
  ingestBatchWindowMs: number
  ingestBatchMax: number
  queueMaxWaiting: number
  jobAttempts: number
  jobBackoffMs: number
  idempotencyTtlSeconds: number
  scrubExtraKeys: string[]
  healthTimeoutMs: number
  healthCacheMs: number
  heapGrowingPercent: number
  workerConcurrency: number
  appendBatchMax: number
  checkpointIntervalSeconds: number
  logOrigin: string
  signingKey: string | undefined
  signingKeyFile: string | undefined
  /** The legacy key name: the one name every note was signed with before keys were named after origins. */
  signingKeyName: string
  /** A rotation's incoming key: signs beside the current key during the overlap. */
  signingKeyNext: string | undefined
  signingKeyNextFile: string | undefined
  devKeyDir: string
  shutdownGraceMs: number
  adminApiKey: string | undefined
  apiKeyCacheMs: number
  rateLimitMax: number
  rateLimitWindowMs: number
  requestTimeoutMs: number
  metricsToken: string | undefined
  workerMetricsPort: number
  healthMaxQueueLagSeconds: number
  healthMaxDeadLetters: number
  healthMaxCheckpointAgeSeconds: number
  /** Port of the API's own GET /metrics listener (0: none). */
  apiMetricsPort: number
  /** How long a reading of Redis and PostgreSQL serves metrics scrapes (0: every scrape reads). */
  metricsCacheMs: number
  /** Tenants named in per-tenant metric series, API and worker; the rest are summed up as `_other`. */
  metricsTenants: number
  /** Seconds between the worker's background verification runs (0: no background verifier). */
  verifyIntervalSeconds: number
  /** Pages (of 1,000 records) the background verifier reads per run, all tenants together. */
  verifyPagesPerRun: number
  /** Operators' extra value patterns, validated at start (see parseScrubPatterns). */
  scrubExtraPatterns: RegExp[]
  /** `migrate` creates this least-privilege role and grants it what the API and worker need. */
  databaseServiceRole: string | undefined
  databaseServicePassword: string | undefined
  /** Fastify's trustProxy: which proxies' X-Forwarded-For decides the client address. */
  trustProxy: boolean | number | string
  rateLimitIpMax: number
  rateLimitExpensiveWeight: number
  ownAccessMax: number
  apiKeyUnknownCacheMs: number
  /**
   * Largest canonical record (RFC 8785 bytes, without `seq`) the API accepts; 413 beyond. At
   * most 65,535: every record must fit a C2SP tlog-tiles entry.
   */
  recordMaxBytes: number
  /** Tenants whose log (checkpoint and tiles under /logs/<tenant>/) anyone may read without a key. */
  publicTenants: string[]
  /** Most payload bytes per BullMQ job; the producer starts a new job beyond (a job holds at least one event). */
  jobMaxBytes: number
  /** Shared by API and worker: when set, each job carries an HMAC-SHA256 of its payload, and the worker dead-letters jobs without a valid one. */
  jobHmacKey: string | undefined
  /** Connections of the separate pool for whole-log reads (verify, export). */
  readPoolMax: number
  /** Verifications at a time per tenant. */
  readVerifyPerTenant: number
  /** Exports at a time per tenant. */
  readExportPerTenant: number
  /** Verifications and exports at a time over all tenants, per API instance. */
  readMaxConcurrent: number
  /** Witnesses the worker asks to cosign each tenant's latest checkpoint (C2SP tlog-witness); none by default. */
  witnesses: WitnessConfig[]
  /** How many of the witnesses must cosign a checkpoint (WITNESS_POLICY; all by default). */
  witnessPolicy: number
  /** How long one add-checkpoint request may take. */
  witnessTimeoutMs: number
  /** How long a tenant's log may go without a checkpoint cosigned per the policy before /health and the metrics say so. */
  witnessGraceSeconds: number
}

export class ConfigError extends Error {
  readonly code = 'AUDIT_ERR_CONFIG'
  constructor (readonly variable: string, message: string) {
    super(`${variable}: ${message}`)
    this.name = 'ConfigError'
  }
}

type Env = Record<string, string | undefined>

// Members of every record whose value must stay an object or one of a few words: redacted whole,
// the stored record would no longer have the shape readers (and StoredRecord) rely on.
const SHAPED_MEMBERS = ['actor', 'target', 'source', 'metadata', 'outcome']

function scrubExtraKeys (env: Env): string[] {
  const keys = str(env, 'SCRUB_EXTRA_KEYS', '').split(',').map(k => k.trim()).filter(Boolean)
  const shaped = keys.filter(k => SHAPED_MEMBERS.includes(normalizeKey(k)))
  if (shaped.length > 0) {
    throw new ConfigError('SCRUB_EXTRA_KEYS', `must not name ${shaped.join(', ')}: ${SHAPED_MEMBERS.join(', ')} are members of every record, whose value would be redacted whole; name the secret members inside them instead`)
  }
  return keys
}

function scrubPatterns (env: Env): RegExp[] {
  try {
    return parseScrubPatterns(env.SCRUB_EXTRA_PATTERNS ?? '')
  } catch (err) {
    throw new ConfigError('SCRUB_EXTRA_PATTERNS', (err as Error).message)
  }
}

function str (env: Env, name: string, fallback: string): string {
  const value = env[name]
  return value === undefined || value === '' ? fallback : value
}

function int (env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `must be an integer, got ${JSON.stringify(raw)}`)
  const value = Number(raw)
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`)
  return value
}

function url (env: Env, name: string, fallback: string, protocols: string[]): string {
  const value = str(env, name, fallback)
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw new ConfigError(name, 'is not a valid URL')
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`)
  }
  return value
}

function oneOf (env: Env, name: string, fallback: string, allowed: string[]): string {
  const value = str(env, name, fallback)
  if (!allowed.includes(value)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`)
  return value
}

const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

function name (env: Env, variable: string, fallback: string): string {
  const value = str(env, variable, fallback)
  if (!TENANT_NAME.test(value)) {
    throw new ConfigError(variable, 'must be 1-64 characters of letters, digits, ".", "_" or "-"')
  }
  return value
}

/** One server, a Redis Cluster or a Sentinel group (parseRedisUrl); errors never repeat the URL. */
function redisUrl (env: Env): string {
  const value = str(env, 'REDIS_URL', 'redis://127.0.0.1:6379')
  try {
    parseRedisUrl(value)
  } catch (err) {
    throw new ConfigError('REDIS_URL', (err as Error).message)
  }
  return value
}

/** A name, or a `{name}` hash tag; on a cluster a name is wrapped in braces (effectiveQueuePrefix). */
function queuePrefix (env: Env): string {
  const raw = str(env, 'QUEUE_PREFIX', 'audit')
  const tagged = /^\{(.*)\}$/.exec(raw)
  if (tagged === null && /[{}]/.test(raw)) throw new ConfigError('QUEUE_PREFIX', 'must be a name or a whole {name} hash tag')
  const bare = tagged === null ? raw : tagged[1]!
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(bare)) throw new ConfigError('QUEUE_PREFIX', 'must be 1-64 characters of letters, digits, ".", "_" or "-", or such a name in braces')
  return effectiveQueuePrefix(tagged === null ? bare : `{${bare}}`, parseRedisUrl(redisUrl(env)))
}

function witnesses (env: Env): WitnessConfig[] {
  try {
    return parseWitnesses(env.WITNESSES ?? '')
  } catch (err) {
    throw new ConfigError('WITNESSES', (err as Error).message)
  }
}

/** Comma-separated tenant names, each as DEFAULT_TENANT; empty: no log is public. */
function publicTenants (env: Env): string[] {
  const names = str(env, 'PUBLIC_TENANTS', '').split(',').map(n => n.trim()).filter(Boolean)
  const bad = names.find(n => !TENANT_NAME.test(n))
  if (bad !== undefined) throw new ConfigError('PUBLIC_TENANTS', `${JSON.stringify(bad.slice(0, 80))} is not a tenant name: each must be 1-64 characters of letters, digits, ".", "_" or "-"`)
  return [...new Set(names)]
}

/**
 * RECORD_MAX_BYTES: a C2SP tlog-tiles entry carries at most 65,535 bytes, and every record is
 * an entry of its log's entry bundles, so a larger bound is refused rather than storing
 * records the tiles could not serve.
 */
function recordMaxBytes (env: Env): number {
  const raw = env.RECORD_MAX_BYTES
  if (raw !== undefined && /^\d+$/.test(raw.trim()) && Number(raw) > MAX_ENTRY_BYTES) {
    throw new ConfigError('RECORD_MAX_BYTES', `must be at most ${MAX_ENTRY_BYTES} (a C2SP tlog-tiles entry carries at most that many bytes), got ${Number(raw)}`)
  }
  return int(env, 'RECORD_MAX_BYTES', MAX_ENTRY_BYTES, 1024, MAX_ENTRY_BYTES)
}

function jobHmacKey (env: Env): string | undefined {
  const value = env.JOB_HMAC_KEY
  if (value === undefined || value === '') return undefined
  if (value.length < 32) throw new ConfigError('JOB_HMAC_KEY', 'must be at least 32 characters (use e.g. `openssl rand -hex 32`)')
  return value
}

function adminKey (env: Env): string | undefined {
  const value = env.ADMIN_API_KEY
  if (value === undefined || value === '') return undefined
  if (value.length < 32 || !/^[\x21-\x7e]+$/.test(value)) throw new ConfigError('ADMIN_API_KEY', 'must be at least 32 printable characters without spaces')
  return value
}

function serviceRole (env: Env): string | undefined {
  const value = env.DATABASE_SERVICE_ROLE
  if (value === undefined || value === '') return undefined
  if (!SERVICE_ROLE_NAME.test(value)) throw new ConfigError('DATABASE_SERVICE_ROLE', 'must be 1-63 lower-case letters, digits or "_", not starting with a digit')
  return value
}

/** `false` (default), `true` (any proxy: only behind one that strips the header), a hop count, or addresses/CIDRs. */
function trustProxy (env: Env): boolean | number | string {
  const value = str(env, 'TRUST_PROXY', 'false').trim()
  if (value === 'false') return false
  if (value === 'true') return true
  if (/^\d+$/.test(value)) return int(env, 'TRUST_PROXY', 0, 0, 100)
  if (!/^[0-9A-Fa-f:./]+(\s*,\s*[0-9A-Fa-f:./]+)*$/.test(value)) {
    throw new ConfigError('TRUST_PROXY', 'must be true, false, a hop count or comma-separated proxy addresses/CIDRs')
  }
  return value
}

/** Which signing-key settings go together: one source each, and a rotation needs a real current key. */
function checkSigningKeys (config: Config): void {
  if (config.signingKey !== undefined && config.signingKeyFile !== undefined) throw new ConfigError('SIGNING_KEY', 'set SIGNING_KEY or SIGNING_KEY_FILE, not both')
  if (config.signingKeyNext !== undefined && config.signingKeyNextFile !== undefined) throw new ConfigError('SIGNING_KEY_NEXT', 'set SIGNING_KEY_NEXT or SIGNING_KEY_NEXT_FILE, not both')
  const next = config.signingKeyNext !== undefined || config.signingKeyNextFile !== undefined
  if (next && config.signingKey === undefined && config.signingKeyFile === undefined) {
    throw new ConfigError('SIGNING_KEY_NEXT', 'needs SIGNING_KEY or SIGNING_KEY_FILE: a development key is never rotated')
  }
  if (next && config.signingKeyNext !== undefined && config.signingKeyNext.trim() === config.signingKey?.trim()) {
    throw new ConfigError('SIGNING_KEY_NEXT', 'is the current key (SIGNING_KEY): the incoming key of a rotation must be a new one')
  }
}

/**
 * Reads and validates the configuration. Defaults suit a machine with PostgreSQL and Redis
 * on localhost; every variable is documented in docs/configuration.md.
 *
 * @example
 * const config = loadConfig(process.env)
 */
export function loadConfig (env: Env = process.env): Config {
  // The same checks as the note signer's and formatCheckpoint's: a value they would refuse
  // stops the start here, with one line, not at the first signature (or a stack trace).
  const signingKeyName = str(env, 'SIGNING_KEY_NAME', 'audit-service')
  const keyNameIssue = keyNameProblem(signingKeyName)
  if (keyNameIssue !== undefined) throw new ConfigError('SIGNING_KEY_NAME', `${keyNameIssue} (C2SP signed-note key name)`)
  const logOrigin = str(env, 'LOG_ORIGIN', 'audit-service.local')
  // Every tenant's origin is `<LOG_ORIGIN>/<tenant>`, and tenant names are letters, digits, '.', '_', '-'.
  const originIssue = originProblem(logOrigin)
  if (originIssue !== undefined) throw new ConfigError('LOG_ORIGIN', `${originIssue} (C2SP checkpoint origin, which the log's key name may match)`)
  // Receipts carry the origin too, as printable ASCII: the longest tenant name must still fit.
  if (!isReceiptField(logOriginOf(logOrigin, 'x'.repeat(64)))) {
    throw new ConfigError('LOG_ORIGIN', 'must be at most 191 printable ASCII characters (every receipt carries `<LOG_ORIGIN>/<tenant>`, at most 256 of them)')
  }
  const config: Config = {
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/audit_service', ['postgres:', 'postgresql:']),
    redisUrl: redisUrl(env),
    host: str(env, 'HOST', '127.0.0.1'),
    port: int(env, 'PORT', 3000, 0, 65535),
    healthPort: int(env, 'HEALTH_PORT', 0, 0, 65535),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    queuePrefix: queuePrefix(env),
    redisWaitReplicas: int(env, 'REDIS_WAIT_REPLICAS', 0, 0, 16),
    queueName: name(env, 'QUEUE_NAME', 'audit-events'),
    defaultTenant: name(env, 'DEFAULT_TENANT', 'default'),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 256 * 1024, 1024, 64 * 1024 * 1024),
    batchBodyLimitBytes: int(env, 'BATCH_BODY_LIMIT_BYTES', 5 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    ingestBatchWindowMs: int(env, 'INGEST_BATCH_WINDOW_MS', 2, 0, 1000),
    ingestBatchMax: int(env, 'INGEST_BATCH_MAX', 500, 1, 10_000),
    queueMaxWaiting: int(env, 'QUEUE_MAX_WAITING', 100_000, 1, 100_000_000),
    jobAttempts: int(env, 'JOB_ATTEMPTS', 20, 1, 1000),
    jobBackoffMs: int(env, 'JOB_BACKOFF_MS', 250, 1, 3_600_000),
    idempotencyTtlSeconds: int(env, 'IDEMPOTENCY_TTL_SECONDS', 86_400, 1, 365 * 86_400),
    scrubExtraKeys: scrubExtraKeys(env),
    healthTimeoutMs: int(env, 'HEALTH_TIMEOUT_MS', 500, 10, 60_000),
    healthCacheMs: int(env, 'HEALTH_CACHE_MS', 1000, 0, 60_000),
    heapGrowingPercent: int(env, 'HEAP_GROWING_PERCENT', 50, 0, 400),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 32, 1, 1000),
    appendBatchMax: int(env, 'APPEND_BATCH_MAX', 2000, 1, 50_000),
    checkpointIntervalSeconds: int(env, 'CHECKPOINT_INTERVAL_SECONDS', 10, 1, 86_400),
    logOrigin,
    signingKey: env.SIGNING_KEY || undefined,
    signingKeyFile: env.SIGNING_KEY_FILE || undefined,
    signingKeyName,
    signingKeyNext: env.SIGNING_KEY_NEXT || undefined,
    signingKeyNextFile: env.SIGNING_KEY_NEXT_FILE || undefined,
    devKeyDir: str(env, 'DEV_KEY_DIR', join(homedir(), '.config', 'audit-service')),
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 10_000, 100, 600_000),
    adminApiKey: adminKey(env),
    apiKeyCacheMs: int(env, 'API_KEY_CACHE_MS', 30_000, 0, 3_600_000),
    rateLimitMax: int(env, 'RATE_LIMIT_MAX', 100_000, 1, 100_000_000),
    rateLimitWindowMs: int(env, 'RATE_LIMIT_WINDOW_MS', 60_000, 1000, 86_400_000),
    requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    metricsToken: env.METRICS_TOKEN || undefined,
    workerMetricsPort: int(env, 'WORKER_METRICS_PORT', 9465, 0, 65535),
    healthMaxQueueLagSeconds: int(env, 'HEALTH_MAX_QUEUE_LAG_SECONDS', 60, 1, 86_400),
    healthMaxDeadLetters: int(env, 'HEALTH_MAX_DEAD_LETTERS', 0, 0, 1_000_000_000),
    healthMaxCheckpointAgeSeconds: int(env, 'HEALTH_MAX_CHECKPOINT_AGE_SECONDS', 300, 1, 86_400 * 30),
    apiMetricsPort: int(env, 'API_METRICS_PORT', 9464, 0, 65535),
    metricsCacheMs: int(env, 'METRICS_CACHE_MS', 5_000, 0, 300_000),
    metricsTenants: int(env, 'METRICS_TENANTS', 20, 0, 10_000),
    verifyIntervalSeconds: int(env, 'VERIFY_INTERVAL_SECONDS', 60, 0, 86_400),
    verifyPagesPerRun: int(env, 'VERIFY_PAGES_PER_RUN', 20, 1, 100_000),
    scrubExtraPatterns: scrubPatterns(env),
    databaseServiceRole: serviceRole(env),
    databaseServicePassword: env.DATABASE_SERVICE_PASSWORD || undefined,
    trustProxy: trustProxy(env),
    rateLimitIpMax: int(env, 'RATE_LIMIT_IP_MAX', 300, 1, 100_000_000),
    rateLimitExpensiveWeight: int(env, 'RATE_LIMIT_EXPENSIVE_WEIGHT', 100, 1, 100_000_000),
    ownAccessMax: int(env, 'OWN_ACCESS_MAX', 60, 1, 1_000_000),
    apiKeyUnknownCacheMs: int(env, 'API_KEY_UNKNOWN_CACHE_MS', 60_000, 0, 3_600_000),
    recordMaxBytes: recordMaxBytes(env),
    publicTenants: publicTenants(env),
    jobMaxBytes: int(env, 'JOB_MAX_BYTES', 1024 * 1024, 1024, 512 * 1024 * 1024),
    jobHmacKey: jobHmacKey(env),
    readPoolMax: int(env, 'READ_POOL_MAX', 3, 1, 100),
    readVerifyPerTenant: int(env, 'READ_VERIFY_PER_TENANT', 1, 1, 100),
    readExportPerTenant: int(env, 'READ_EXPORT_PER_TENANT', 2, 1, 100),
    readMaxConcurrent: int(env, 'READ_MAX_CONCURRENT', 4, 1, 1000),
    witnesses: witnesses(env),
    witnessPolicy: 0, // below: it depends on the witnesses
    witnessTimeoutMs: int(env, 'WITNESS_TIMEOUT_MS', 5_000, 100, 120_000),
    witnessGraceSeconds: int(env, 'WITNESS_GRACE_SECONDS', 120, 1, 86_400 * 30)
  }
  try {
    config.witnessPolicy = parseWitnessPolicy(env.WITNESS_POLICY ?? '', config.witnesses.length)
  } catch (err) {
    throw new ConfigError('WITNESS_POLICY', (err as Error).message)
  }
  if (config.apiMetricsPort !== 0 && (config.apiMetricsPort === config.port || config.apiMetricsPort === config.healthPort)) {
    throw new ConfigError('API_METRICS_PORT', `must differ from PORT (${config.port}) and HEALTH_PORT (${config.healthPort})`)
  }
  if (config.healthPort !== 0 && config.healthPort === config.port) throw new ConfigError('HEALTH_PORT', `must differ from PORT (${config.port})`)
  checkSigningKeys(config)
  return config
}
