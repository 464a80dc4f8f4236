import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify from 'fastify'
import t from 'tap'
import { ERROR_CODES, FASTIFY_ERROR_CODES, NON_HTTP_ERROR_CODES, RateLimitedError, TooManyReadsError } from '../src/errors.js'
import { errorHandler } from '../src/http/error-handler.js'
import { ROOT } from './helper.js'

// The catalog in src/errors.ts, the codes the source uses and README's table must agree: a code
// thrown but not catalogued, or catalogued but not documented, is a code a client cannot act on.

function sourceFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return path.endsWith('.ts') ? [path] : []
  })
}

const sources = sourceFiles(join(ROOT, 'src')).map(path => ({ path: path.slice(ROOT.length), text: readFileSync(path, 'utf8') }))
const catalogued = new Set([...Object.keys(ERROR_CODES), ...Object.keys(NON_HTTP_ERROR_CODES)])

t.test('every AUDIT_ERR_ code in src/ is in the catalog', async t => {
  for (const { path, text } of sources) {
    for (const [code] of text.matchAll(/AUDIT_ERR_[A-Z0-9_]*[A-Z0-9]/g)) {
      t.ok(catalogued.has(code), `${path}: ${code} is in src/errors.ts`)
    }
  }
  for (const [code, path] of Object.entries(NON_HTTP_ERROR_CODES)) {
    t.match(readFileSync(join(ROOT, path), 'utf8'), `'${code}'`, `${code} is defined where the catalog says (${path})`)
    t.notOk(code in ERROR_CODES, `${code} is not also an HTTP answer`)
  }
})

t.test('no error answer is built outside src/errors.ts (no inline codes or statuses)', async t => {
  for (const { path, text } of sources) {
    if (path === 'src/errors.ts') continue
    t.notMatch(text, /new AuditServiceError\(/, `${path}: uses a class of src/errors.ts`)
    t.notMatch(text, /code: 'AUDIT_ERR_/, `${path}: builds no error body of its own`)
    t.notMatch(text, /class \w+Error extends AuditServiceError/, `${path}: defines no HTTP error of its own`)
  }
})

t.test('every catalog entry has an error status and a meaning', async t => {
  for (const [code, entry] of Object.entries({ ...ERROR_CODES, ...FASTIFY_ERROR_CODES })) {
    t.ok(Number.isInteger(entry.statusCode) && entry.statusCode >= 400 && entry.statusCode <= 599, `${code}: status ${entry.statusCode}`)
    t.ok(entry.meaning.length > 10, `${code}: has a meaning`)
  }
})

t.test('README documents every code of the catalog, with its status, and no other', async t => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const start = readme.indexOf('\n## Error codes\n')
  t.ok(start >= 0, 'README has an "Error codes" section')
  const section = readme.slice(start + 1, readme.indexOf('\n## ', start + 1))
  t.ok(section.length > 0 && readme.indexOf('\n## Health\n') > start, 'it comes before "Health"')
  const rows = new Map([...section.matchAll(/^\| `((?:AUDIT|FST)_ERR_[A-Z0-9_]+)` \| (\d{3}) \|/gm)].map(m => [m[1]!, Number(m[2])]))
  for (const [code, entry] of Object.entries({ ...ERROR_CODES, ...FASTIFY_ERROR_CODES })) {
    t.equal(rows.get(code), entry.statusCode, `README: ${code} is ${entry.statusCode}`)
  }
  for (const code of rows.keys()) t.ok(code in ERROR_CODES || code in FASTIFY_ERROR_CODES, `README: ${code} is in the catalog`)
})

t.test('every 429 has a rate-limit code of its own, never AUDIT_ERR_INTERNAL', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  app.setErrorHandler(errorHandler)
  // A plugin's own 429 (as @fastify/rate-limit or under-pressure raise them): not an AuditServiceError.
  app.get('/foreign', async () => { throw Object.assign(new Error('slow down'), { statusCode: 429 }) })
  app.get('/limited', async () => { throw new RateLimitedError('rate limit exceeded', 3) })
  app.get('/reads', async () => { throw new TooManyReadsError('1 verify run already in progress', 5) })
  app.get('/fault', async () => { throw new Error('secret internals') })

  const foreign = await app.inject('/foreign')
  t.equal(foreign.statusCode, 429)
  t.same(foreign.json(), { statusCode: 429, code: 'AUDIT_ERR_RATE_LIMITED', error: 'Too Many Requests', message: 'slow down' })
  t.equal(foreign.headers['retry-after'], '2')
  const limited = await app.inject('/limited')
  t.same(limited.json(), { statusCode: 429, code: 'AUDIT_ERR_RATE_LIMITED', error: 'Too Many Requests', message: 'rate limit exceeded' })
  t.equal(limited.headers['retry-after'], '3')
  const reads = await app.inject('/reads')
  t.same(reads.json(), { statusCode: 429, code: 'AUDIT_ERR_TOO_MANY_READS', error: 'Too Many Requests', message: '1 verify run already in progress' })
  t.equal(reads.headers['retry-after'], '5')
  const fault = await app.inject('/fault')
  t.same(fault.json(), { statusCode: 500, code: 'AUDIT_ERR_INTERNAL', error: 'Internal Server Error', message: 'internal error' })
})

t.test("Fastify's own codes that the catalog lists are answered as it says", async t => {
  const app = Fastify({ bodyLimit: 1024 })
  t.teardown(() => app.close())
  app.setErrorHandler(errorHandler)
  app.post('/echo', async request => request.body)
  const tooLarge = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: `"${'x'.repeat(2000)}"` })
  t.equal(tooLarge.statusCode, FASTIFY_ERROR_CODES.FST_ERR_CTP_BODY_TOO_LARGE.statusCode)
  t.equal(tooLarge.json().code, 'FST_ERR_CTP_BODY_TOO_LARGE')
  const badUrl = await app.inject({ method: 'POST', url: '/%zz' })
  t.equal(badUrl.statusCode, FASTIFY_ERROR_CODES.FST_ERR_BAD_URL.statusCode)
  t.equal(badUrl.json().code, 'FST_ERR_BAD_URL')
})
