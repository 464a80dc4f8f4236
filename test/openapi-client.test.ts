import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { Ajv } from 'ajv'
import * as ajvFormats from 'ajv-formats'
import openapiTS, { astToString } from 'openapi-typescript'
import t from 'tap'
import { OPENAPI_PATH } from '../scripts/generate-openapi.js'
import { buildTestApp, countRows, openDatabase, ROOT, sampleEvent, startTestWorker, TEST_ADMIN_KEY, testConfig, waitFor } from './helper.js'

// What a new user does with the committed OpenAPI document: generate a strict TypeScript client
// (openapi-typescript types, openapi-fetch calls) and use it. Its types must compile without a
// cast, and what it receives from the real service must be what those types say.

const run = promisify(execFile)
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv

/**
 * The client program. Every read goes through the generated types: `record.actor.id` is a
 * string, a proof asked for as JSON is an InclusionProof and as text a string, an error is an
 * ErrorResponse. No `as`, no `any`.
 */
const PROGRAM = `
import createClient from 'openapi-fetch'
import type { components, paths } from './api.js'

type Schemas = components['schemas']
export type Client = ReturnType<typeof clientFor>

/** A client that reads JSON: Accept says so, and the types are those of application/json. */
export function clientFor (baseUrl: string, key: string) {
  return createClient<paths, 'application/json'>({ baseUrl, headers: { authorization: \`Bearer \${key}\`, accept: 'application/json' } })
}

const fail = (error: Schemas['ErrorResponse']): never => {
  throw new Error(\`\${error.statusCode} \${error.code}: \${error.message}\`)
}

export async function sendBatch (client: Client, events: Array<Schemas['AuditEventInput']>): Promise<Array<Schemas['AcceptedEvent']>> {
  const { data, error } = await client.POST('/audit-events/batch', { body: { events } })
  if (error !== undefined) return fail(error)
  const first: Schemas['AcceptedEvent'] | undefined = data.items[0]
  if (first?.status !== 'accepted') throw new Error('not accepted')
  return data.items
}

export async function storedEvent (client: Client, id: string): Promise<{ event: Schemas['StoredEvent'], actorId: string, seq: number, redactions: string[] }> {
  const { data, error } = await client.GET('/audit-events/{id}', { params: { path: { id } } })
  if (error !== undefined) return fail(error)
  const actorId: string = data.record.actor.id
  const outcome: 'success' | 'failure' | 'unknown' | undefined = data.record.outcome
  void outcome
  return { event: data, actorId, seq: data.record.seq, redactions: data.record.redactions }
}

/** Every stored event, page by page: each item's record as typed as a single read's. */
export async function allEvents (client: Client): Promise<Array<Schemas['StoredEvent']>> {
  const events: Array<Schemas['StoredEvent']> = []
  let cursor: string | undefined
  do {
    const { data, error } = await client.GET('/audit-events', { params: { query: { limit: 2, ...(cursor !== undefined && { cursor }) } } })
    if (error !== undefined) return fail(error)
    for (const item of data.items) events.push(item)
    cursor = data.next_cursor ?? undefined
  } while (cursor !== undefined)
  return events
}

export async function signCheckpoint (client: Client): Promise<number> {
  const { data, error } = await client.POST('/checkpoints', {})
  if (error !== undefined) return fail(error)
  return data.size
}

export async function proofAsObject (client: Client, id: string): Promise<{ proof: Schemas['InclusionProof'], treeSize: number }> {
  const { data, error } = await client.GET('/audit-events/{id}/proof', { params: { path: { id } } })
  if (error !== undefined) return fail(error)
  return { proof: data, treeSize: data.tree_size }
}

export async function proofAsText (client: Client, id: string): Promise<string> {
  const { data, error } = await client.GET('/audit-events/{id}/proof', { params: { path: { id } }, headers: { accept: 'text/plain' }, parseAs: 'text' })
  if (error !== undefined) return fail(error)
  const text: string = data
  return text
}

export async function checkpointAsObject (client: Client): Promise<Schemas['Checkpoint']> {
  const { data, error } = await client.GET('/checkpoints/latest')
  if (error !== undefined) return fail(error)
  const size: number = data.size
  void size
  return data
}

export async function checkpointAsText (client: Client): Promise<string> {
  const { data, error } = await client.GET('/checkpoints/latest', { headers: { accept: 'text/plain' }, parseAs: 'text' })
  if (error !== undefined) return fail(error)
  return data
}

/** An error answer, as the client sees it: its body and status. */
export async function errorOf (client: Client, id: string, accept: string): Promise<{ status: number, body: Schemas['ErrorResponse'] }> {
  const { data, error, response } = await client.GET('/audit-events/{id}/proof', { params: { path: { id } }, headers: { accept } })
  if (error === undefined) throw new Error(\`expected an error, got the proof of \${data.id}\`)
  const code: string = error.code
  const fields: string[] = (error.errors ?? []).map(e => e.field)
  void fields
  return { status: response.status, body: { ...error, code } }
}
`

type Program = {
  clientFor (baseUrl: string, key: string): unknown
  sendBatch (client: unknown, events: object[]): Promise<Array<{ id: string }>>
  storedEvent (client: unknown, id: string): Promise<{ event: unknown, actorId: unknown, seq: unknown, redactions: unknown }>
  allEvents (client: unknown): Promise<Array<{ record: { action: string } }>>
  signCheckpoint (client: unknown): Promise<unknown>
  proofAsObject (client: unknown, id: string): Promise<{ proof: unknown, treeSize: unknown }>
  proofAsText (client: unknown, id: string): Promise<unknown>
  checkpointAsObject (client: unknown): Promise<unknown>
  checkpointAsText (client: unknown): Promise<unknown>
  errorOf (client: unknown, id: string, accept: string): Promise<{ status: number, body: unknown }>
}

t.test('a strict client generated from openapi/openapi.json compiles and gets what its types say', async t => {
  // Under the project (.tap/fixtures), so that the program resolves openapi-fetch and @types/node.
  const dir = t.testdir({ 'client.ts': PROGRAM })
  const types = astToString(await openapiTS(pathToFileURL(OPENAPI_PATH)))
  await writeFile(join(dir, 'api.ts'), types)

  t.test('tsc --strict finds no error in the generated types or the program', async t => {
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc')
    const flags = ['--ignoreConfig', '--strict', '--noEmit', '--noUncheckedIndexedAccess', '--exactOptionalPropertyTypes', '--target', 'es2022', '--module', 'nodenext',
      '--moduleResolution', 'nodenext', '--lib', 'es2023,dom', '--types', 'node', '--skipLibCheck']
    const result = await run(tsc, [...flags, join(dir, 'client.ts'), join(dir, 'api.ts')], { cwd: dir }).then(() => ({ stdout: '' }), (err: { stdout: string }) => err)
    t.equal(result.stdout, '', 'no type error')
    t.match(types, /record: components\["schemas"\]\["StoredRecord"\]/, 'the stored record is a named type')
    t.match(types, /events: components\["schemas"\]\["AuditEventInput"\]\[\]/, 'batch items are the named event type')
  })

  t.test('against the running service, the values are what the types promise', async t => {
    const config = await testConfig(t)
    const app = await buildTestApp(t, config)
    await app.listen({ port: 0, host: '127.0.0.1' })
    await startTestWorker(t, config)
    const db = openDatabase(t, config.databaseUrl)
    const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`

    // The generated types' source, checked by a JSON Schema validator at runtime.
    const doc = JSON.parse(await readFile(OPENAPI_PATH, 'utf8'))
    const ajv = addFormats(new Ajv({ strict: false, allErrors: true }))
    ajv.addSchema({ $id: 'openapi.json', components: doc.components })
    const check = (value: unknown, schema: string, what: string) => {
      const validate = ajv.getSchema(`openapi.json#/components/schemas/${schema}`)!
      t.ok(validate(value), `${what} is a ${schema}`, { errors: validate.errors })
    }

    const program = await import(pathToFileURL(join(dir, 'client.ts')).href) as Program
    const client = program.clientFor(baseUrl, TEST_ADMIN_KEY)
    const [accepted] = await program.sendBatch(client, [sampleEvent({ actor: { type: 'user', id: 'u_42' } })])
    const id = accepted!.id
    await waitFor(async () => await countRows(db) === 1, { what: 'the event stored' })

    const stored = await program.storedEvent(client, id)
    check(stored.event, 'StoredEvent', 'the stored event')
    t.equal(stored.actorId, 'u_42', 'record.actor.id is the actor\'s id, a string')
    t.equal(stored.seq, 1)
    t.same(stored.redactions, [])

    t.equal(await program.signCheckpoint(client), 1)
    const { proof, treeSize } = await program.proofAsObject(client, id)
    t.type(proof, 'object', 'the proof with JSON Accept is an object')
    check(proof, 'InclusionProof', 'the proof')
    t.equal(treeSize, 1)
    const text = await program.proofAsText(client, id)
    t.type(text, 'string', 'the proof with text Accept is a string')
    t.equal(text, (proof as { tlog_proof: string }).tlog_proof, 'the tlog-proof of the JSON proof')
    t.match(text, /^c2sp\.org\/tlog-proof@v1\n/)

    const checkpoint = await program.checkpointAsObject(client)
    check(checkpoint, 'Checkpoint', 'the latest checkpoint as JSON')
    const note = await program.checkpointAsText(client)
    t.type(note, 'string')
    t.equal(note, (checkpoint as { note: string }).note, 'the note as text')

    const missing = await program.errorOf(client, '0193a1b2-0000-7000-8000-00000000dead', 'application/json')
    t.equal(missing.status, 404)
    check(missing.body, 'ErrorResponse', 'a 404')
    t.match(missing.body, { code: 'AUDIT_ERR_NOT_FOUND' })
    const refused = await program.errorOf(client, id, 'image/png')
    t.equal(refused.status, 406)
    check(refused.body, 'ErrorResponse', 'a 406')
    t.match(refused.body, { code: 'AUDIT_ERR_NOT_ACCEPTABLE' })

    // The service's own events (a key created, a verification) are records of the same type.
    t.equal((await app.inject({ method: 'POST', url: '/keys', payload: { name: 'reader', scopes: ['events:read'] } })).statusCode, 201)
    t.equal((await app.inject({ method: 'GET', url: '/verify' })).statusCode, 200)
    await waitFor(async () => await countRows(db) === 3, { what: 'the key change and the verification stored' })
    const events = await program.allEvents(client)
    t.same(events.map(e => e.record.action), ['user.login', 'audit.key.create', 'audit.verify'])
    for (const event of events) check(event, 'StoredEvent', `the stored ${event.record.action}`)
  })
})
