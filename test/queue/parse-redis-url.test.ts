import t from 'tap'
import fc from 'fast-check'
import { effectiveQueuePrefix, parseRedisUrl } from '../../src/queue/parse-redis-url.js'
import { ConfigError, loadConfig } from '../../src/config.js'

t.test('the REDIS_URL forms', async t => {
  t.same(parseRedisUrl('redis://127.0.0.1:6379'), { mode: 'single', url: 'redis://127.0.0.1:6379' })
  t.same(parseRedisUrl('rediss://u:p@redis.example:6380/2'), { mode: 'single', url: 'rediss://u:p@redis.example:6380/2' }, 'one server: handed to ioredis as it is')
  t.same(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001, node-3.example'), {
    mode: 'cluster', tls: false, nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: 'node-3.example', port: 6379 }]
  })
  t.same(parseRedisUrl('rediss+cluster://audit:p%40ss%2Fw0rd@[::1]:7000/'), {
    mode: 'cluster', tls: true, username: 'audit', password: 'p@ss/w0rd', nodes: [{ host: '::1', port: 7000 }]
  }, 'TLS, percent-encoded password, IPv6, a trailing slash')
  t.same(parseRedisUrl('redis+sentinel://:s3cret@s1,s2:26380,s3/audit-main'), {
    mode: 'sentinel',
    tls: false,
    password: 's3cret',
    name: 'audit-main',
    sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }, { host: 's3', port: 26379 }]
  })
  t.same(parseRedisUrl('REDISS+SENTINEL://u@h:1/m'), { mode: 'sentinel', tls: true, username: 'u', name: 'm', sentinels: [{ host: 'h', port: 1 }] }, 'schemes are case-insensitive')
})

t.test('bad URLs are refused with what is wrong', async t => {
  const cases: Array<[string, RegExp]> = [
    ['http://x', /must start with redis:\/\//],
    ['redis+replica://h:1', /must start with/],
    ['redis://a b', /not a valid URL/],
    ['redis+cluster://', /host/],
    ['redis+cluster://a:1,,b:2', /none empty/],
    ['redis+cluster://a:0', /port/],
    ['redis+cluster://a:65536', /port/],
    ['redis+cluster://a:x', /port/],
    ['redis+cluster://a:1:2', /port/],
    ['redis+cluster://a_b:1', /host/],
    ['redis+cluster://[::1:7000', /host/],
    ['redis+cluster://a:1/0', /no path/],
    ['redis+cluster://a:1?tls=true', /query/],
    ['redis+cluster://a:1#x', /query/],
    ['redis+cluster://u:%zz@a:1', /percent-encoding/],
    ['redis+sentinel://a:26379', /master name/],
    ['redis+sentinel://a:26379/', /master name/],
    ['redis+sentinel://a:26379/main/0', /master name/],
    ['redis+sentinel://a:26379/ma in', /master name/]
  ]
  for (const [url, message] of cases) t.throws(() => parseRedisUrl(url), message, url)
})

t.test('an error never repeats any part of the password, even one wrongly encoded', async t => {
  const secret = fc.stringMatching(/^[A-Za-z0-9@/:?#%]{6,20}$/).filter(s => /[A-Za-z0-9]{6}/.test(s))
  fc.assert(fc.property(secret, fc.constantFrom('redis+cluster', 'rediss+sentinel'), (password, scheme) => {
    const url = `${scheme}://user:${password}@h1:7000,h2:7001/main`
    try {
      parseRedisUrl(url)
    } catch (err) {
      const message = (err as Error).message
      const pieces = password.split(/[@/:?#%]/).filter(p => p.length >= 4)
      return pieces.every(p => !message.includes(p))
    }
    return true
  }), { numRuns: 300 })
  t.pass('no error message holds a four-character piece of the password')
})

t.test('any list of nodes reads back as written', async t => {
  const host = fc.oneof(fc.ipV4(), fc.domain(), fc.ipV6().map(a => `[${a}]`))
  const nodes = fc.array(fc.record({ host, port: fc.integer({ min: 1, max: 65535 }) }), { minLength: 1, maxLength: 6 })
  fc.assert(fc.property(nodes, fc.boolean(), (list, tls) => {
    const target = parseRedisUrl(`redis${tls ? 's' : ''}+cluster://${list.map(n => `${n.host}:${n.port}`).join(',')}`)
    return target.mode === 'cluster' && target.tls === tls &&
      JSON.stringify(target.nodes) === JSON.stringify(list.map(n => ({ host: n.host.replace(/^\[|\]$/g, ''), port: n.port })))
  }), { numRuns: 300 })
  t.pass('round trip')
})

t.test('REDIS_URL and QUEUE_PREFIX in the configuration', async t => {
  const err = t.throws(() => loadConfig({ REDIS_URL: 'redis+cluster://audit:hunter2@a:0' })) as ConfigError
  t.ok(err instanceof ConfigError)
  t.equal(err.message, 'REDIS_URL: has an invalid port in its list (1-65535)')
  t.notMatch(err.message, /hunter2/)
  t.equal(loadConfig({ REDIS_URL: 'redis+cluster://a:7000' }).queuePrefix, '{audit}', 'on a cluster the prefix becomes a hash tag')
  t.equal(loadConfig({ REDIS_URL: 'redis+cluster://a:7000', QUEUE_PREFIX: '{a.b}' }).queuePrefix, '{a.b}', 'a hash tag is kept')
  t.equal(loadConfig({ QUEUE_PREFIX: '{audit}' }).queuePrefix, '{audit}', 'a hash tag is allowed on one server too')
  t.equal(loadConfig({ REDIS_URL: 'redis+sentinel://s:26379/m' }).queuePrefix, 'audit', 'a Sentinel group is one server at a time: no tag needed')
  t.throws(() => loadConfig({ QUEUE_PREFIX: 'a{b}' }), /QUEUE_PREFIX: must be a name or a whole \{name\} hash tag/)
  t.throws(() => loadConfig({ QUEUE_PREFIX: '{}' }), /QUEUE_PREFIX: must be 1-64 characters/)
  t.throws(() => loadConfig({ QUEUE_PREFIX: '{a b}' }), /QUEUE_PREFIX: must be 1-64 characters/)
  t.equal(effectiveQueuePrefix('x', { mode: 'single', url: 'redis://h' }), 'x')
})

t.test('a bad REDIS_URL stops the CLI with exit 78 and one line', async t => {
  const { runCli } = await import('../helper.js')
  const { status, stderr } = await runCli('worker', [], { REDIS_URL: 'redis+sentinel://:topsecret@s1:26379' })
  t.equal(status, 78)
  t.match(stderr, /REDIS_URL: a sentinel URL must end with \/<master name>/)
  t.notMatch(stderr, /topsecret/)
  t.equal(stderr.trim().split('\n').length, 1, 'one line')
})
