import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { access, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { parseCosignatureVerifierKey } from '../../src/core/note/index.js'
import { verifyCosignature } from '../../src/core/witness/index.js'
import { witness } from '../../src/commands/witness.js'
import { addCheckpoint, TestLog } from '../witness-server/test-log.js'
import { ROOT, waitFor } from '../helper.js'

async function run (args: string[]): Promise<{ status: number, out: string, err: string }> {
  let out = ''
  let err = ''
  const status = await witness(args, { out: s => { out += s }, err: s => { err += s } })
  return { status, out, err }
}

interface ServeProcess {
  child: ChildProcessWithoutNullStreams
  lines: Array<Record<string, unknown>>
  stderr: () => string
  exited: Promise<[number | null, NodeJS.Signals | null]>
}

/** `audit-service witness serve` as a real child process; its JSON log lines collected. */
function serve (t: Test, args: string[]): ServeProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'witness', 'serve', ...args], { cwd: ROOT, env: { ...process.env, WITNESS_KEY: '' } })
  const lines: Array<Record<string, unknown>> = []
  let buffered = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString()
    let nl
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl)
      buffered = buffered.slice(nl + 1)
      try { lines.push(JSON.parse(line) as Record<string, unknown>) } catch { lines.push({ text: line }) }
    }
  })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  t.teardown(async () => { if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await exited } })
  return { child, lines, stderr: () => stderr, exited }
}

async function listening (p: ServeProcess): Promise<string> {
  const line = await waitFor(() => p.lines.find(l => l.msg === 'witness listening') ?? (p.child.exitCode !== null ? { url: 'exited' } : undefined), { what: 'the witness to listen', timeoutMs: 30_000 })
  if (line.url === 'exited') throw new Error(`witness exited: ${p.stderr()}`)
  return line.url as string
}

t.test('keygen writes a key once and prints its cosignature verifier key', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'witness-keygen-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const keyFile = join(dir, 'witness.pem')
  const made = await run(['keygen', '--name', 'witness.test/k', '--out', keyFile])
  t.equal(made.status, 0, made.err)
  const vkey = made.out.trim()
  t.equal(parseCosignatureVerifierKey(vkey).name, 'witness.test/k')
  t.equal((await stat(keyFile)).mode & 0o777, 0o600)
  const again = await run(['keygen', '--name', 'witness.test/k', '--out', keyFile])
  t.equal(again.status, 1, 'an existing key file is never overwritten')
  t.match(again.err, /EEXIST/)
  const shown = await run(['keygen', '--name', 'witness.test/k', '--key-file', keyFile])
  t.equal(shown.out.trim(), vkey, 'the verifier key of an existing key')
  t.equal((await run(['keygen', '--name', 'bad name', '--out', join(dir, 'x')])).status, 2)
  t.equal((await run(['keygen', '--name', 'w'])).status, 2)
})

t.test('serve refuses a configuration it cannot run with (exit 78, one line)', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'witness-config-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const keyFile = join(dir, 'witness.pem')
  const witnessKey = (await run(['keygen', '--name', 'witness.test/c', '--out', keyFile])).out.trim()
  const log = new TestLog('log.example/config')
  const base = ['--name', 'witness.test/c', '--key-file', keyFile, '--state', join(dir, 'state')]
  for (const [what, args, message] of [
    ['no log', base, /no log to witness/],
    ['a bad witness name', [...base, '--name', 'a\u0085b', '--log', `${log.origin} ${log.verifierKey}`], /U\+0085/],
    ['no key', ['--name', 'w', '--state', dir, '--log', `${log.origin} ${log.verifierKey}`], /needs its key/],
    ['a log without a key', [...base, '--log', log.origin], /at least one/],
    ['a witness key given as a log key', [...base, '--log', `${log.origin} ${witnessKey}`], /type 0x04 is a witness cosignature key/],
    ['a log listed twice', [...base, '--log', `${log.origin} ${log.verifierKey}`, '--log', `${log.origin} ${log.verifierKey}`], /listed twice/],
    ['a bad listen address', [...base, '--log', `${log.origin} ${log.verifierKey}`, '--listen', '7380'], /host:port/],
    ['an unreadable key file', [...base, '--key-file', join(dir, 'none'), '--log', `${log.origin} ${log.verifierKey}`], /--key-file/],
    ['a missing config file', [...base, '--config', join(dir, 'none.json')], /cannot read/]
  ] as const) {
    const res = await run(['serve', ...args])
    t.equal(res.status, 78, `${what}: ${res.err.trim()}`)
    t.match(res.err, message, what)
    t.equal(res.err.trim().split('\n').length, 1, `${what}: one line`)
  }
  t.equal((await run(['serve', '--bogus'])).status, 2)
  t.match((await run(['serve', '--help'])).out, /tlog-witness/)
})

t.test('a witness process killed with SIGKILL after answering 200 keeps the size it cosigned', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'witness-serve-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const keyFile = join(dir, 'witness.pem')
  const vkey = (await run(['keygen', '--name', 'witness.test/proc', '--out', keyFile])).out.trim()
  const log = new TestLog('any.example/c2sp-log').grow(30)
  const state = join(dir, 'state')
  const args = ['--name', 'witness.test/proc', '--key-file', keyFile, '--state', state, '--listen', '127.0.0.1:0', '--log', `${log.origin} ${log.verifierKey}`, '--log-level', 'info']

  const first = serve(t, args)
  let url = await listening(first)
  t.equal(first.lines.find(l => l.verifierKey !== undefined)?.verifierKey, vkey, 'it prints the verifier key keygen printed')
  const answer = await addCheckpoint(url, await log.request(0, 10))
  t.equal(answer.status, 200, answer.text)
  t.ok(verifyCosignature(log.body(10), answer.text, parseCosignatureVerifierKey(vkey)))

  const rival = serve(t, args)
  const [rivalCode] = await rival.exited
  t.equal(rivalCode, 78, 'a second process on the same state directory is refused')
  t.match(rival.stderr(), /another witness process \(pid \d+\)/)

  first.child.kill('SIGKILL')
  const [, signal] = await first.exited
  t.equal(signal, 'SIGKILL')

  // Restarted from a config file this time (same settings).
  const config = join(dir, 'witness.json')
  await writeFile(config, JSON.stringify({ name: 'witness.test/proc', keyFile, stateDir: state, listen: '127.0.0.1:0', logs: [{ origin: log.origin, keys: [log.verifierKey] }] }))
  const second = serve(t, ['--config', config])
  url = await listening(second)
  const conflict = await addCheckpoint(url, await log.request(0, 30))
  t.equal(conflict.status, 409)
  t.equal(conflict.type, 'text/x.tlog.size')
  t.equal(conflict.text, '10\n', 'the size cosigned before SIGKILL was kept')
  const grown = await addCheckpoint(url, await log.request(10, 30))
  t.equal(grown.status, 200, grown.text)
  t.equal(verifyCosignature(log.body(30), grown.text, parseCosignatureVerifierKey(vkey)).name, 'witness.test/proc')

  second.child.kill('SIGTERM')
  const [code] = await second.exited
  t.equal(code, 0, `a graceful stop: ${second.stderr()}`)
  await t.rejects(access(join(state, 'witness.lock')), 'the state directory is given up')
  const stateFile = (await readdir(state)).find(f => f.endsWith('.json'))
  t.match(JSON.parse(await readFile(join(state, stateFile ?? 'none'), 'utf8')), { origin: log.origin, size: 30, note: log.note(30) }, 'one file per log')
})
