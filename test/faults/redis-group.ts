import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import { onExitCleanup } from './exit-cleanup.js'
import { freePort } from './free-port.js'

// Redis Cluster and Sentinel groups of a test's own (test/queue/redis-cluster.test.ts,
// redis-sentinel.test.ts): Debian's redis-server on free loopback ports, each process in its
// own temporary directory, all killed and removed when the test ends (or the process exits).

type Test = { teardown: (fn: () => unknown) => void }
const run = promisify(execFile)

/** One redis-server (a node, a primary, a replica or, with `--sentinel`, a sentinel). */
export class RedisProcess {
  #child: ChildProcess | undefined

  private constructor (readonly dir: string, readonly port: number, readonly args: string[]) {}

  /** `avoid`: ports picked but not bound yet (a cluster bus port), which freePort could hand out again. */
  static async start (t: Test, args: (dir: string, port: number) => string[], avoid: number[] = []): Promise<RedisProcess> {
    let port = await freePort()
    while (avoid.includes(port)) port = await freePort()
    const dir = mkdtempSync(join(tmpdir(), 'audit-redis-group-'))
    const node = new RedisProcess(dir, port, args(dir, port))
    const unregister = onExitCleanup(() => {
      node.#child?.kill('SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    })
    t.teardown(async () => {
      await node.kill()
      unregister()
      rmSync(dir, { recursive: true, force: true })
    })
    await node.restart()
    return node
  }

  get running (): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** Starts the process (again, from the same directory and port) and waits for its PONG. */
  async restart (): Promise<void> {
    const child = spawn('redis-server', this.args, { cwd: this.dir, stdio: 'ignore' })
    this.#child = child
    for (const deadline = Date.now() + 20_000; ;) {
      if (child.exitCode !== null) throw new Error(`redis-server ${this.args.join(' ')} exited with ${child.exitCode}; see ${this.dir}`)
      if (await this.#ping() === 'PONG') return
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} did not answer within 20 s`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  }

  async #ping (): Promise<unknown> {
    const client = this.client({ lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 1000 })
    try {
      await client.connect()
      return await client.ping()
    } catch {
      return undefined
    } finally {
      client.disconnect()
    }
  }

  /** SIGKILL: gone at once, mid-write, its clients' sockets closed. */
  async kill (): Promise<void> {
    const child = this.#child
    if (child === undefined || !this.running) return
    const exited = once(child, 'exit')
    child.kill('SIGKILL')
    await exited
  }

  client (options: Record<string, unknown> = {}): Redis {
    const client = new Redis({ host: '127.0.0.1', port: this.port, ...options })
    client.on('error', () => {})
    return client
  }

  /** One command on a connection of its own. */
  async call (...args: Array<string | number>): Promise<unknown> {
    const client = this.client({ maxRetriesPerRequest: 1, connectTimeout: 1000 })
    try {
      return await client.call(String(args[0]), ...args.slice(1))
    } finally {
      client.disconnect()
    }
  }
}

const dataNode = (dir: string, port: number) => [
  '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
  '--maxmemory-policy', 'noeviction', '--logfile', join(dir, 'redis.log')
]

/** Polls `check` (a condition, not a fixed sleep) until it holds. */
export async function until (check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!await check().catch(() => false)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

export interface RedisCluster {
  nodes: RedisProcess[]
  url: string
  /** The node serving `key`'s slot as a master now. */
  masterOf (key: string): Promise<RedisProcess>
  /** Every node that is up says cluster_state:ok and every slot has a master that is up. */
  healthy (): Promise<boolean>
}

/**
 * Six nodes, three masters each with a replica (`redis-cli --cluster create --cluster-replicas
 * 1`), a cluster-node-timeout of `nodeTimeoutMs`: a master that stops answering is failed over
 * to its replica about that long after.
 */
export async function startRedisCluster (t: Test, nodeTimeoutMs = 1000): Promise<RedisCluster> {
  const nodes: RedisProcess[] = []
  for (let i = 0; i < 6; i++) {
    // The bus port explicitly: port + 10000 could land in the kernel's ephemeral range.
    const busPort = await freePort()
    nodes.push(await RedisProcess.start(t, (dir, port) => [
      ...dataNode(dir, port), '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'),
      '--cluster-port', String(busPort), '--cluster-node-timeout', String(nodeTimeoutMs),
      // Always fail over to the replica, however long it was cut off from its master.
      '--cluster-replica-validity-factor', '0'
    ], [busPort]))
  }
  await run('redis-cli', ['--cluster', 'create', ...nodes.map(n => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'])
  const cluster: RedisCluster = {
    nodes,
    url: `redis+cluster://${nodes.slice(0, 3).map(n => `127.0.0.1:${n.port}`).join(',')}`,
    async masterOf (key) {
      const up = nodes.find(n => n.running)!
      const slot = Number(await up.call('CLUSTER', 'KEYSLOT', key))
      const shards = await up.call('CLUSTER', 'SLOTS') as Array<[number, number, [string, number]]>
      const shard = shards.find(([from, to]) => slot >= from && slot <= to)
      const node = nodes.find(n => n.port === Number(shard?.[2][1]))
      if (node === undefined) throw new Error(`no master for slot ${slot}`)
      return node
    },
    async healthy () {
      for (const node of nodes.filter(n => n.running)) {
        if (!String(await node.call('CLUSTER', 'INFO')).includes('cluster_state:ok')) return false
      }
      const shards = await nodes.find(n => n.running)!.call('CLUSTER', 'SLOTS') as Array<[number, number, [string, number]]>
      return shards.every(([, , [, port]]) => nodes.find(n => n.port === Number(port))?.running === true)
    }
  }
  await until(() => cluster.healthy(), 'the new cluster to be ok on every node')
  await until(async () => {
    const links = await Promise.all(nodes.map(async n => String(await n.call('INFO', 'replication')).includes('master_link_status:up')))
    return links.filter(Boolean).length === 3
  }, 'every replica to sync with its master')
  return cluster
}

export interface SentinelGroup {
  primary: RedisProcess
  replica: RedisProcess
  sentinels: RedisProcess[]
  name: string
  url: string
  /** The port the sentinels name as the primary now. */
  primaryPort (): Promise<number>
}

/** A primary, its replica, and three sentinels (quorum 2) that fail over after `downAfterMs`. */
export async function startSentinelGroup (t: Test, downAfterMs = 1000): Promise<SentinelGroup> {
  const name = 'audit-main'
  const primary = await RedisProcess.start(t, dataNode)
  const replica = await RedisProcess.start(t, (dir, port) => [...dataNode(dir, port), '--replicaof', '127.0.0.1', String(primary.port)])
  await until(async () => String(await replica.call('INFO', 'replication')).includes('master_link_status:up'), 'the replica to sync')
  const sentinels: RedisProcess[] = []
  for (let i = 0; i < 3; i++) {
    sentinels.push(await RedisProcess.start(t, (dir, port) => {
      // A sentinel rewrites its configuration file: one of its own, in its directory.
      const file = join(dir, 'sentinel.conf')
      writeFileSync(file, [
        `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `logfile ${join(dir, 'sentinel.log')}`,
        `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
        `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
        `sentinel failover-timeout ${name} 10000`,
        `sentinel parallel-syncs ${name} 1`
      ].join('\n') + '\n')
      return [file, '--sentinel']
    }))
  }
  const group: SentinelGroup = {
    primary,
    replica,
    sentinels,
    name,
    url: `redis+sentinel://${sentinels.map(s => `127.0.0.1:${s.port}`).join(',')}/${name}`,
    async primaryPort () {
      const [, port] = await sentinels.find(s => s.running)!.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name) as [string, string]
      return Number(port)
    }
  }
  // Every sentinel must know the replica and the other sentinels before a failover can happen.
  await until(async () => {
    for (const s of sentinels) {
      const info = await s.call('SENTINEL', 'MASTER', name) as string[]
      const field = (k: string) => Number(info[info.indexOf(k) + 1])
      if (field('num-slaves') < 1 || field('num-other-sentinels') < 2) return false
    }
    return true
  }, 'the sentinels to find the replica and each other')
  return group
}
