import t from 'tap'
import { nameWildcardParams } from '../../src/schemas/name-wildcard-params.js'

t.test('a wildcard path parameter gets a name, in the path and in its parameter; other paths are kept', async t => {
  const doc = {
    openapi: '3.1.0',
    paths: {
      '/logs/{tenant}/tile/{L}/{*}': { get: { operationId: 'x', parameters: [{ in: 'path', name: 'tenant' }, { in: 'path', name: 'L' }, { in: 'path', name: '*' }] } },
      '/health': { get: { operationId: 'y' } }
    }
  }
  t.same(nameWildcardParams(doc, 'N'), {
    openapi: '3.1.0',
    paths: {
      '/logs/{tenant}/tile/{L}/{N}': { get: { operationId: 'x', parameters: [{ in: 'path', name: 'tenant' }, { in: 'path', name: 'L' }, { in: 'path', name: 'N' }] } },
      '/health': { get: { operationId: 'y' } }
    }
  })
  t.same(nameWildcardParams({ swagger: '2.0' }, 'N'), { swagger: '2.0' }, 'a document without paths is returned as is')
})
