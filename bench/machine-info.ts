import { execFileSync } from 'node:child_process'
import os from 'node:os'
import type { Redis } from 'ioredis'
import pg from 'pg'

export interface MachineInfo {
  cpus: number
  cpuModel: string
  memoryGiB: number
  node: string
  platform: string
  kernel: string
  loadAverage: number[]
  postgres: Record<string, string>
  redis: string
  commit: string
}

/** Enough to tell two result files apart: hardware, runtimes, PostgreSQL durability settings. */
export async function machineInfo (pgAdminUrl: string, redis: Redis): Promise<MachineInfo> {
  const client = new pg.Client({ connectionString: pgAdminUrl })
  await client.connect()
  const postgres: Record<string, string> = {}
  try {
    postgres.version = (await client.query('SHOW server_version')).rows[0].server_version
    for (const setting of ['fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers', 'max_wal_size']) {
      postgres[setting] = (await client.query(`SHOW ${setting}`)).rows[0][setting]
    }
  } finally {
    await client.end()
  }
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown'
  let commit = 'unknown'
  try {
    commit = execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trim()
  } catch {}
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    loadAverage: os.loadavg().map(l => Math.round(l * 100) / 100),
    postgres,
    redis: redisVersion,
    commit
  }
}
