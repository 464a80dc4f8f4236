import t from 'tap'
import { negotiateMediaType } from '../../src/http/negotiate-media-type.js'

const NOTE_FIRST = ['text/plain', 'application/json'] as const
const JSON_FIRST = ['application/json', 'text/plain'] as const

t.test('no preference keeps the route\'s default', async t => {
  for (const accept of [undefined, '', '*/*', '*/*;q=0.5', 'text/plain, application/json', 'application/json, text/plain', 'text/*, application/*',
    'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'garbage', ';;,', 'text']) {
    t.equal(negotiateMediaType(accept, NOTE_FIRST), 'text/plain', `${JSON.stringify(accept)}: the note`)
    t.equal(negotiateMediaType(accept, JSON_FIRST), 'application/json', `${JSON.stringify(accept)}: JSON`)
  }
})

t.test('the type asked for, by weight and then by how specifically it is named', async t => {
  const cases: Array<[string, string]> = [
    ['application/json', 'application/json'],
    ['text/plain', 'text/plain'],
    ['APPLICATION/JSON', 'application/json'],
    ['application/*', 'application/json'],
    ['text/*', 'text/plain'],
    ['text/plain;q=0.5, application/json', 'application/json'],
    ['text/plain;q=0.9, application/json;q=0.8', 'text/plain'],
    ['application/json;q=0.001, text/plain;q=0', 'application/json'],
    ['application/json, */*', 'application/json'],
    ['application/json, */*;q=0.1', 'application/json'],
    ['*/*;q=0.9, text/plain', 'text/plain'],
    // The most specific range decides a type's weight, wherever it stands.
    ['text/plain;q=0.1, */*', 'application/json'],
    ['*/*, text/plain;q=0', 'application/json'],
    ['text/*;q=0.2, text/plain;q=0.9, application/json;q=0.5', 'text/plain'],
    ['text/plain; charset=utf-8', 'text/plain'],
    ['text/plain; charset="UTF-8"; q=1', 'text/plain'],
    ['application/json; charset=utf-8', 'application/json'],
    ['text/plain;format="a,b";q=0.4, application/json;q=0.3', 'application/json'],
    ['application/json;q=1.000', 'application/json'],
    ['application/json;q=0.5;ext=1', 'application/json'],
    ['  application/json  ;  q=0.5 ', 'application/json']
  ]
  for (const [accept, chosen] of cases) {
    t.equal(negotiateMediaType(accept, NOTE_FIRST), chosen, `${accept} → ${chosen} (note first)`)
    t.equal(negotiateMediaType(accept, JSON_FIRST), chosen, `${accept} → ${chosen} (JSON first)`)
  }
})

t.test('an Accept that allows none of them', async t => {
  for (const accept of ['image/png', 'application/xml', 'text/html', 'text/*;q=0, application/json;q=0', '*/*;q=0',
    'application/json;q=0, text/plain;q=0.000', 'text/plain;charset=latin1, application/problem+json', 'text/plain;version=2']) {
    t.equal(negotiateMediaType(accept, NOTE_FIRST), undefined, `${accept}: none`)
  }
})

t.test('elements that are not media ranges are ignored', async t => {
  t.equal(negotiateMediaType('*/json, application/json;q=0.5, text/plain;q=2', NOTE_FIRST), 'application/json', '*/json and q=2 are not ranges')
  t.equal(negotiateMediaType('text/plain;q=abc, application/json', NOTE_FIRST), 'application/json')
  t.equal(negotiateMediaType('text/plain;noequals, application/json', NOTE_FIRST), 'application/json')
  t.equal(negotiateMediaType('image/png, nonsense', NOTE_FIRST), undefined, 'one real range that matches nothing is still a 406')
})
