import t from 'tap'
import { buildTestApp, testConfig } from '../helper.js'

interface Key { origin: string, name: string, status: string, key_id?: string, verifier_key?: string }

// Tenant names are private, so /.well-known/audit-log-keys without ?tenant lists key templates;
// a tenant declared public (PUBLIC_TENANTS) may be named, and its concrete keys are listed too,
// so a verifier of a public log finds them without being told the tenant's name first.
t.test('without ?tenant: the templates, then each public tenant\'s keys as its ?tenant= answer', async t => {
  const config = await testConfig(t, { PUBLIC_TENANTS: 'pub,docs.team' })
  const app = await buildTestApp(t, config)
  const keysOf = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/.well-known/audit-log-keys${query}`, headers: { authorization: '' } })
    t.equal(res.statusCode, 200, `no key needed (${query || 'no query'})`)
    return res.json() as { keys: Key[], origin_prefix: string }
  }
  const all = await keysOf('')
  const templates = all.keys.filter(k => k.origin === 'audit-service.local/<tenant>')
  t.same(templates.map(k => [k.name, k.status, k.key_id ?? null]), [['audit-service.local/<tenant>', 'active', null]], 'the template first')
  t.same(all.keys.filter(k => k.origin === 'audit-service.local/pub'), (await keysOf('?tenant=pub')).keys, 'pub\'s entries are its ?tenant= answer')
  t.same(all.keys.filter(k => k.origin === 'audit-service.local/docs.team'), (await keysOf('?tenant=docs.team')).keys)
  t.equal(all.keys.length, 3, 'nothing else')
  t.match(all.keys.find(k => k.origin === 'audit-service.local/pub')!.verifier_key, /^audit-service\.local\/pub\+[0-9a-f]{8}\+/)
  t.notMatch(JSON.stringify(all), /default/, 'a tenant that is not public is never named')

  const closed = await buildTestApp(t, await testConfig(t))
  const none = (await closed.inject({ method: 'GET', url: '/.well-known/audit-log-keys' })).json() as { keys: Key[] }
  t.same(none.keys.map(k => k.origin), ['audit-service.local/<tenant>'], 'no public tenant: the templates alone')
})
