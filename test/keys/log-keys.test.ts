import { generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { formatCheckpoint } from '../../src/core/checkpoint/index.js'
import { openNote, publicKeyBytes, signNote } from '../../src/core/note/index.js'
import { LogKeys } from '../../src/keys/log-keys.js'
import { openCheckpoint } from '../../src/proofs/open-checkpoint.js'

const pair = () => {
  const { privateKey } = generateKeyPairSync('ed25519')
  return { privateKey, publicKey: publicKeyBytes(privateKey) }
}
const root = Buffer.alloc(32, 7)
const checkpointOf = (keys: LogKeys, tenant: string) => signNote(formatCheckpoint({ origin: keys.originFor(tenant), size: 5, rootHash: root }), keys.signersFor(tenant))

t.test('each tenant\'s key is named after its origin: a verifier of A refuses B\'s checkpoint by its key alone', async t => {
  const keys = new LogKeys({ originPrefix: 'audit.example', legacyName: 'audit-service', current: pair() })
  t.same(keys.signersFor('alpha').map(s => s.name), ['audit.example/alpha'])
  const [alphaKey] = keys.verifierKeysFor('alpha')
  t.match(alphaKey, /^audit\.example\/alpha\+[0-9a-f]{8}\+/)
  t.not(alphaKey!.split('+')[1], keys.verifierKeysFor('beta')[0]!.split('+')[1], 'same key material, another key id')
  const beta = checkpointOf(keys, 'beta')
  t.throws(() => openNote(beta, keys.verifiersFor('alpha')), /no valid signature from a trusted key/, 'refused before the origin is even read')
  t.equal(openCheckpoint(beta, keys.verifiersFor('beta'), 'audit.example/beta').size, 5)
})

t.test('rotation: current and next both sign; verifiers take current, next, retired and legacy keys', async t => {
  const old = pair()
  const current = pair()
  const next = pair()
  const at = (s: string) => new Date(s)
  const record = [
    { publicKey: old.publicKey, firstSignedAt: at('2026-01-01T00:00:00Z'), recordedAt: at('2026-02-01T00:00:00Z'), lastSignedAt: at('2026-03-01T00:00:00Z'), legacyName: 'audit-service' },
    { publicKey: current.publicKey, firstSignedAt: at('2026-02-20T00:00:00Z'), recordedAt: at('2026-02-20T00:00:00Z'), lastSignedAt: at('2026-04-01T00:00:00Z'), legacyName: null },
    { publicKey: next.publicKey, firstSignedAt: at('2026-03-30T00:00:00Z'), recordedAt: at('2026-03-30T00:00:00Z'), lastSignedAt: at('2026-04-01T00:00:00Z'), legacyName: null }
  ]
  const keys = new LogKeys({ originPrefix: 'audit.example', legacyName: 'audit-service', current, next, record })
  const note = checkpointOf(keys, 'alpha')
  t.equal(note.split('\n\u2014 ').length - 1, 2, 'two signature lines')
  const only = (k: { privateKey: typeof current.privateKey, publicKey: Buffer }) => new LogKeys({ originPrefix: 'audit.example', legacyName: 'audit-service', current: k })
  t.ok(openNote(note, only(current).verifiersFor('alpha')), 'a verifier that knows only the current key')
  t.ok(openNote(note, only(next).verifiersFor('alpha')), 'a verifier that already took the next key')

  const published = keys.published('alpha')
  t.same(published.map(k => [k.name, k.status, k.valid_from, k.valid_until]), [
    ['audit.example/alpha', 'active', '2026-02-20T00:00:00.000Z', null],
    ['audit.example/alpha', 'next', '2026-03-30T00:00:00.000Z', null],
    ['audit.example/alpha', 'retired', '2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
    ['audit-service', 'legacy', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z']
  ])
  t.ok(published.every(k => k.origin === 'audit.example/alpha' && k.verifier_key !== undefined))
  // An old note of each kind still verifies with the tenant's keys.
  const legacyNote = signNote(formatCheckpoint({ origin: 'audit.example/alpha', size: 2, rootHash: root }), { name: 'audit-service', privateKey: old.privateKey })
  const retiredNote = signNote(formatCheckpoint({ origin: 'audit.example/alpha', size: 3, rootHash: root }), { name: 'audit.example/alpha', privateKey: old.privateKey })
  t.ok(openNote(legacyNote, keys.verifiersFor('alpha')))
  t.ok(openNote(retiredNote, keys.verifiersFor('alpha')))
  t.throws(() => openNote(retiredNote, keys.verifiersFor('beta')), /no valid signature/, 'another tenant\'s verifier refuses it')

  // Without a tenant: templates and the legacy keys, no tenant named.
  const templates = keys.published()
  t.same(templates.map(k => [k.name, k.status, k.key_id ?? null]), [
    ['audit.example/<tenant>', 'active', null],
    ['audit.example/<tenant>', 'next', null],
    ['audit.example/<tenant>', 'retired', null],
    ['audit-service', 'legacy', published[3]!.key_id]
  ])
  t.notMatch(JSON.stringify(templates), /alpha/)
  t.equal(templates[0]!.public_key, published[0]!.public_key)

  // Public tenants are named: after the templates, each one's entries as its ?tenant= answer.
  t.same(keys.listing(), templates, 'no public tenant: the templates alone')
  const listing = keys.listing(['alpha', 'gamma', 'alpha'])
  t.same(listing, [...templates, ...published, ...keys.published('gamma')], 'each public tenant once, as its own answer')
  t.same(listing.filter(k => k.origin === 'audit.example/alpha'), published)
  t.notMatch(JSON.stringify(listing), /beta/, 'no other tenant named')
})

t.test('the next key cannot be the current one', async t => {
  const k = pair()
  t.throws(() => new LogKeys({ originPrefix: 'a.example', legacyName: 'x', current: k, next: k }), /next signing key is the current one/)
})
