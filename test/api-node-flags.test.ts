import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { API_NODE_FLAGS } from '../src/api-node-flags.js'

// The flags size V8's heap at start-up, so every launcher of the API must pass them itself: a
// launcher that forgets them still works, only with a larger heap, which no other test notices.
const root = join(import.meta.dirname, '..')
const apiCommand = `node ${API_NODE_FLAGS.join(' ')} dist/src/cli.js`

t.test('the Docker image starts the API, and only the API, with the flags', async t => {
  const dockerfile = await readFile(join(root, 'Dockerfile'), 'utf8')
  t.match(dockerfile, /^ENTRYPOINT \["\.\/docker-entrypoint\.sh"\]$/m)
  t.match(dockerfile, /^COPY scripts\/docker-entrypoint\.sh \.\/docker-entrypoint\.sh$/m)
  const entrypoint = await readFile(join(root, 'scripts', 'docker-entrypoint.sh'), 'utf8')
  t.match(entrypoint, `exec ${apiCommand} "$@"`)
  t.match(entrypoint, 'exec node dist/src/cli.js "$@"', 'other roles: V8 defaults')
})

t.test('npm run api passes the flags; npm run worker does not', async t => {
  const { scripts } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  t.match(scripts.api, `${apiCommand} api`)
  t.match(scripts.worker, 'node dist/src/cli.js worker')
})
