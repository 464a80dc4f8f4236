import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { SERVICE_NODE_FLAGS } from '../src/runtime/service-node-flags.js'

// The flags size V8's heap at start-up, so every launcher must pass them itself: a launcher
// that forgets them still works, only with a larger heap, which no other test would notice.
const root = join(import.meta.dirname, '..')

t.test('the Dockerfile entrypoint passes every service flag', async t => {
  const dockerfile = await readFile(join(root, 'Dockerfile'), 'utf8')
  const line = dockerfile.split('\n').find(l => l.startsWith('ENTRYPOINT'))
  t.ok(line, 'has an ENTRYPOINT')
  const argv = JSON.parse(line!.slice('ENTRYPOINT'.length)) as string[]
  t.same(argv, ['node', ...SERVICE_NODE_FLAGS, 'dist/src/cli.js'])
})

t.test('the npm scripts that start a service process pass every flag', async t => {
  const { scripts } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  for (const name of ['api', 'worker']) {
    t.match(scripts[name], `node ${SERVICE_NODE_FLAGS.join(' ')} dist/src/cli.js ${name}`, name)
  }
})
