import type { Redis } from 'ioredis'

/** Deletes every key that starts with `prefix:` (SCAN + UNLINK); returns how many. */
export async function deleteKeysByPrefix (redis: Redis, prefix: string): Promise<number> {
  if (!/^[A-Za-z0-9._-]+$/.test(prefix)) throw new Error(`unsafe Redis prefix ${JSON.stringify(prefix)}`)
  let cursor = '0'
  let deleted = 0
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000)
    cursor = next
    if (keys.length > 0) deleted += await redis.unlink(...keys)
  } while (cursor !== '0')
  return deleted
}
