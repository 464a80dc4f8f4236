/** One node of a cluster, or one sentinel. */
export interface RedisNode {
  host: string
  port: number
}

/** Credentials for the data nodes (a cluster's nodes, a Sentinel group's primary and replicas). */
interface RedisAuth {
  username?: string
  password?: string
  tls: boolean
}

/** Where REDIS_URL points: one server, a Redis Cluster, or a Sentinel group. */
export type RedisTarget =
  | { mode: 'single', url: string }
  | ({ mode: 'cluster', nodes: RedisNode[] } & RedisAuth)
  | ({ mode: 'sentinel', sentinels: RedisNode[], name: string } & RedisAuth)

const SCHEME = /^(redis|rediss)(?:\+(cluster|sentinel))?:\/\//i
// user-info (no '/' or '@': those are percent-encoded, as in any URL), the host list, the path.
const REST = /^(?:([^@/?#]*)@)?([^@/?#]*)(\/[^@?#]*)?$/
const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?$/
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/
const MASTER_NAME = /^[A-Za-z0-9._-]{1,128}$/

/**
 * Reads REDIS_URL. `redis://` and `rediss://` name one server and are handed to ioredis as
 * they are (today's form); `redis+cluster://[user:password@]host:port,host:port,…` names
 * the seed nodes of a Redis Cluster, `redis+sentinel://[user:password@]host:port,…/<master
 * name>` the sentinels of a group and the name they monitor it by; `rediss+…` for TLS. A
 * missing port is 6379 for a node and 26379 for a sentinel.
 *
 * Errors say what is wrong with the URL and never repeat any part of it: a password with an
 * unencoded "@" or "/" would otherwise show up as a host, port or name.
 *
 * @example
 * parseRedisUrl('redis+sentinel://:s3cret@10.0.0.1,10.0.0.2:26380/audit')
 * // { mode: 'sentinel', sentinels: [{ host: '10.0.0.1', port: 26379 }, …], name: 'audit', password: 's3cret', tls: false }
 */
export function parseRedisUrl (value: string): RedisTarget {
  const scheme = SCHEME.exec(value)
  if (scheme === null) {
    throw new Error('must start with redis://, rediss://, redis+cluster://, rediss+cluster://, redis+sentinel:// or rediss+sentinel://')
  }
  const kind = scheme[2]?.toLowerCase()
  if (kind === undefined) {
    try {
      // eslint-disable-next-line no-new
      new URL(value)
    } catch {
      throw new Error('is not a valid URL')
    }
    return { mode: 'single', url: value }
  }
  const rest = REST.exec(value.slice(scheme[0].length))
  if (rest === null) throw new Error(`is not a valid ${kind} URL (a query, a fragment or an unencoded "@" or "/" in the password?)`)
  const [, userInfo, hostList = '', path = ''] = rest
  const auth: RedisAuth = { tls: scheme[1]!.toLowerCase() === 'rediss', ...credentials(userInfo) }
  const nodes = hostList.split(',').map(part => node(part.trim(), kind === 'cluster' ? 6379 : 26379))
  if (kind === 'cluster') {
    if (path !== '' && path !== '/') throw new Error('a cluster URL takes no path (a cluster has database 0 only)')
    return { mode: 'cluster', nodes, ...auth }
  }
  const name = path.slice(1)
  if (!MASTER_NAME.test(name)) throw new Error('a sentinel URL must end with /<master name> (1-128 letters, digits, ".", "_" or "-")')
  return { mode: 'sentinel', sentinels: nodes, name, ...auth }
}

function credentials (userInfo: string | undefined): { username?: string, password?: string } {
  if (userInfo === undefined || userInfo === '') return {}
  const colon = userInfo.indexOf(':')
  const [user, password] = colon < 0 ? [userInfo, undefined] : [userInfo.slice(0, colon), userInfo.slice(colon + 1)]
  try {
    return {
      ...(user !== '' && { username: decodeURIComponent(user) }),
      ...(password !== undefined && password !== '' && { password: decodeURIComponent(password) })
    }
  } catch {
    throw new Error('has a user name or password with a bad percent-encoding')
  }
}

function node (part: string, defaultPort: number): RedisNode {
  if (part === '') throw new Error('must list host:port pairs separated by commas, none empty')
  const bracket = part.startsWith('[') ? part.indexOf(']') + 1 : 0
  const colon = part.indexOf(':', bracket)
  const host = colon < 0 ? part : part.slice(0, colon)
  const portText = colon < 0 ? undefined : part.slice(colon + 1)
  if (!(HOSTNAME.test(host) || IPV6.test(host)) || host.length > 253) throw new Error('has an invalid host in its list (a name, an IPv4 address or a [bracketed] IPv6 address)')
  if (portText === undefined) return { host: unbracket(host), port: defaultPort }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN
  if (!(port >= 1 && port <= 65535)) throw new Error('has an invalid port in its list (1-65535)')
  return { host: unbracket(host), port }
}

const unbracket = (host: string) => host.startsWith('[') ? host.slice(1, -1) : host

/**
 * The key prefix as used: QUEUE_PREFIX may be a name or a `{name}` hash tag, and on a cluster
 * a plain name is wrapped in braces, so that every key of the queue (BullMQ's own, the
 * idempotency claims, the rate-limit counters) hashes to one slot, which BullMQ's scripts and
 * the service's pipelines need.
 */
export function effectiveQueuePrefix (prefix: string, target: RedisTarget): string {
  if (prefix.startsWith('{')) return prefix
  return target.mode === 'cluster' ? `{${prefix}}` : prefix
}
