import t from 'tap'
import { buildTestApp, countRows, openDatabase, sampleEvent, startTestWorker, testConfig, waitFor } from '../helper.js'

// The two routes that answer JSON or text choose by Accept; `format` overrides it.

t.test('GET /checkpoints/latest and GET /audit-events/{id}/proof honour Accept', async t => {
  const config = await testConfig(t)
  const app = await buildTestApp(t, config)
  const db = openDatabase(t, config.databaseUrl)
  const get = async (url: string, accept?: string) => await app.inject({ method: 'GET', url, headers: accept === undefined ? {} : { accept } })

  const refused = await get('/checkpoints/latest', 'image/png')
  t.equal(refused.statusCode, 406, 'Accept is decided before anything is read: 406, not 404')
  t.equal(refused.json().code, 'AUDIT_ERR_NOT_ACCEPTABLE')
  t.equal(refused.json().message, 'Accept: image/png allows none of text/plain, application/json: accept one of them, or pass format=note or format=json')
  t.equal(refused.headers.vary, 'Accept')
  const missing = await get('/checkpoints/latest', 'application/json')
  t.equal(missing.statusCode, 404, 'no checkpoint yet')
  t.equal(missing.headers.vary, 'Accept', 'an error answer chosen after negotiating varies too')

  await startTestWorker(t, config)
  const id = '0193a1b2-0000-7000-8000-00000000c0de'
  t.equal((await app.inject({ method: 'POST', url: '/audit-events', payload: sampleEvent({ id }) })).statusCode, 202)
  await waitFor(async () => await countRows(db) === 1, { what: 'the event stored' })
  t.equal((await app.inject({ method: 'POST', url: '/checkpoints' })).statusCode, 201)

  t.test('the latest checkpoint: the note by default', async t => {
    const json = (await get('/checkpoints/latest?format=json')).json()
    const note = json.note as string
    const asNote = (res: Awaited<ReturnType<typeof get>>, what: string) => {
      t.equal(res.statusCode, 200, what)
      t.equal(res.headers['content-type'], 'text/plain; charset=utf-8', `${what}: text`)
      t.equal(res.body, note, `${what}: the note`)
    }
    const asJson = (res: Awaited<ReturnType<typeof get>>, what: string) => {
      t.equal(res.statusCode, 200, what)
      t.match(res.headers['content-type'], /^application\/json/, `${what}: JSON`)
      t.same(res.json(), json, `${what}: the checkpoint`)
    }
    for (const accept of [undefined, '*/*', 'text/plain', 'text/*', 'application/json;q=0.5, text/plain', 'text/html, */*;q=0.8']) {
      const res = await get('/checkpoints/latest', accept)
      asNote(res, `Accept: ${accept}`)
      t.equal(res.headers.vary, 'Accept', `Accept: ${accept}: Vary`)
    }
    for (const accept of ['application/json', 'application/*', 'application/json, */*', 'text/plain;q=0.1, application/json']) {
      const res = await get('/checkpoints/latest', accept)
      asJson(res, `Accept: ${accept}`)
      t.equal(res.headers.vary, 'Accept', `Accept: ${accept}: Vary`)
    }
    const overridden = await get('/checkpoints/latest?format=json', 'text/plain')
    asJson(overridden, 'format=json overrides Accept')
    t.notOk(overridden.headers.vary, 'an answer chosen by format does not vary by Accept')
    asNote(await get('/checkpoints/latest?format=note', 'application/json'), 'format=note overrides Accept')
    asNote(await get('/checkpoints/latest?format=note', 'image/png'), 'format=note answers whatever Accept says')
    t.equal((await get('/checkpoints/latest', 'text/plain;q=0, application/json;q=0')).statusCode, 406, 'q=0 refuses')
  })

  t.test('the inclusion proof: JSON by default', async t => {
    const url = `/audit-events/${id}/proof`
    const json = (await get(url)).json()
    t.type(json.tlog_proof, 'string')
    for (const accept of [undefined, '*/*', 'application/json', 'text/plain;q=0.9, application/json', 'text/html,application/xml;q=0.9,*/*;q=0.8']) {
      const res = await get(url, accept)
      t.equal(res.statusCode, 200)
      t.match(res.headers['content-type'], /^application\/json/, `Accept: ${accept}: JSON`)
      t.same(res.json(), json)
      t.equal(res.headers.vary, 'Accept')
    }
    for (const accept of ['text/plain', 'text/*', 'text/plain, */*', 'application/json;q=0.2, text/plain;q=0.3']) {
      const res = await get(url, accept)
      t.equal(res.statusCode, 200)
      t.equal(res.headers['content-type'], 'text/plain; charset=utf-8', `Accept: ${accept}: text`)
      t.equal(res.body, json.tlog_proof, 'the tlog-proof alone')
      t.equal(res.headers['content-disposition'], `attachment; filename="${id}.tlog-proof"`)
      t.equal(res.headers.vary, 'Accept')
    }
    const text = await get(`${url}?format=tlog-proof`, 'application/json')
    t.equal(text.body, json.tlog_proof, 'format=tlog-proof overrides Accept')
    t.notOk(text.headers.vary)
    t.same((await get(`${url}?format=json`, 'text/plain')).json(), json, 'format=json overrides Accept')
    const refused = await get(url, 'application/xml, text/html')
    t.equal(refused.statusCode, 406)
    t.match(refused.json(), { code: 'AUDIT_ERR_NOT_ACCEPTABLE', message: /allows none of application\/json, text\/plain.*format=json or format=tlog-proof/ })
    t.equal((await get('/audit-events/0193a1b2-0000-7000-8000-00000000dead/proof', 'image/png')).statusCode, 406, '406 before the event is looked up')
  })
})
