import { randomBytes, randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import t from 'tap'
import { ID_PENDING, IdClaims } from '../../src/ingest/id-claims.js'
import { REDIS_URL, cleanRedisPrefix } from '../helper.js'

t.test('claim, remember, release: the idempotency key of an id through its life', async t => {
  const prefix = `test-claims-${randomBytes(4).toString('hex')}`
  cleanRedisPrefix(t, prefix)
  const redis = new Redis(REDIS_URL)
  t.teardown(() => redis.quit())
  const claims = new IdClaims({ redis, keyPrefix: prefix, ttlSeconds: 60, reservationMs: 30_000 })
  const id = randomUUID()
  const key = claims.key({ tenant: 'acme', id })
  t.equal(key, `${prefix}:idem:acme:${id}`, 'the documented key format')

  const first = await claims.claim([key, undefined, key])
  t.same([...first.ours], [key], 'a new id is ours, once however often the flush names it')
  t.equal(first.others.size, 0)
  t.equal(await redis.get(key), ID_PENDING)
  t.ok(await redis.pttl(key) > 29_000, 'a claim expires on its own')

  const racing = await claims.claim([key])
  t.equal(racing.ours.size, 0)
  t.equal(racing.others.get(key), ID_PENDING, 'another request sees it in progress')

  const known = { digest: 'ab'.repeat(32), received_at: '2026-11-26T12:00:01.000Z', record_sha256: 'q6fX' }
  const freed = claims.key({ tenant: 'acme', id: randomUUID() })
  await claims.claim([freed])
  await claims.remember([key, freed], k => k === key ? known : undefined)
  t.equal(await redis.get(key), `${known.digest} ${known.received_at} ${known.record_sha256}`)
  t.ok(await redis.ttl(key) > 50, 'remembered for ttlSeconds')
  t.equal(await redis.get(freed), null, 'a claim with nothing to remember is freed')

  t.same((await claims.claim([key])).others.get(key), known, 'a repeat gets what was remembered')
  await redis.set(key, `${known.digest} ${known.received_at}`)
  t.same((await claims.claim([key])).others.get(key), { digest: known.digest, received_at: known.received_at }, 'a key from before receipts has no record_sha256')

  await claims.release([key])
  t.same([...(await claims.claim([key])).ours], [key], 'a released id can be claimed again')
  await claims.release([])
})
