import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { processIo, type CommandIo } from './command-io.js'
import { parseVerifierKey } from '../core/note/index.js'
import { readWitnessState, writeWitnessState } from '../proofs/witness-state.js'
import { witnessStep } from '../proofs/witness-step.js'
import { apiBase, callApi } from '../client/call-api.js'
import { readPublishedKeys } from './published-keys.js'

const usage = `usage: audit-service witness [poll] --url <base url> (--key <verifier key> [--key ...] | --keys <keys.json>) [--tenant <t>]
         [--origin <origin>] [--api-key <key>] [--interval <seconds>] [--state <file>] [--once]
       audit-service witness serve ...   a C2SP tlog-witness server (witness serve --help)
       audit-service witness keygen ...  a key for it (witness keygen --help)

Polling mode (the default) watches a log: polls GET /checkpoints/latest, verifies the
signature, and checks that each new checkpoint is consistent with the last one it verified
(GET /proofs/consistency), which it keeps in --state (default
audit-witness-<tenant or default>.json). On any inconsistency (a bad signature, a rollback, a
fork, a proof that does not verify) it logs an ALARM line, writes the evidence next to the
state file (<state>.alarm.json) and exits 1. Network trouble is
logged and retried (--once: exit 2). The API key may also come from AUDIT_API_KEY; it needs
the events:read scope. --interval defaults to 60 seconds. A tenant's keys are named after its
log's origin: take them from GET /.well-known/audit-log-keys?tenant=<t> (--keys: the saved answer,
which also pins the origin), once, from a source you trust.`

class FetchError extends Error {}

/**
 * `audit-service witness`: an independent check that the operator never rewrites the log.
 * `poll` (the default) watches a log's API; `serve` is a tlog-witness the log calls; `keygen`
 * makes the key `serve` cosigns with.
 */
export async function witness (args: string[], io: CommandIo = processIo): Promise<number> {
  switch (args[0]) {
    case 'serve': return await (await import('./witness-serve.js')).witnessServe(args.slice(1), io)
    case 'keygen': return await (await import('./witness-keygen.js')).witnessKeygen(args.slice(1), io)
    case 'poll': return await pollLog(args.slice(1), io)
    default: return await pollLog(args, io)
  }
}

async function pollLog (args: string[], io: CommandIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args,
      options: {
        url: { type: 'string' },
        key: { type: 'string', multiple: true },
        keys: { type: 'string' },
        tenant: { type: 'string' },
        origin: { type: 'string' },
        'api-key': { type: 'string' },
        interval: { type: 'string', default: '60' },
        state: { type: 'string' },
        once: { type: 'boolean' },
        help: { type: 'boolean' }
      }
    })
  } catch (err) {
    io.err(`${(err as Error).message}\n${usage}\n`)
    return 2
  }
  const { values } = parsed
  const interval = Number(values.interval)
  if (values.help === true || values.url === undefined || (values.key === undefined && values.keys === undefined) || !(interval > 0)) {
    io.err(usage + '\n')
    return values.help === true ? 0 : 2
  }
  const log = (line: string) => io.out(`${new Date().toISOString()} witness: ${line}\n`)
  let verifiers, origin
  try {
    const published = values.keys === undefined ? undefined : await readPublishedKeys(values.keys)
    verifiers = [...values.key ?? [], ...published?.keys ?? []].map(k => parseVerifierKey(k))
    origin = values.origin ?? published?.origin
  } catch (err) {
    io.err(`audit-service witness: --key: ${(err as Error).message}\n`)
    return 2
  }
  const base = apiBase(values.url)
  const statePath = values.state ?? `audit-witness-${values.tenant ?? 'default'}.json`
  const apiKey = values['api-key'] ?? process.env.AUDIT_API_KEY
  const query = (params: Record<string, string | number>) => {
    const q = new URLSearchParams(Object.entries({ ...(values.tenant !== undefined && { tenant: values.tenant }), ...params }).map(([k, v]): [string, string] => [k, String(v)]))
    const s = q.toString()
    return s === '' ? '' : `?${s}`
  }
  const get = async (path: string): Promise<string> => {
    let res
    try {
      res = await callApi(base, path, { ...(apiKey !== undefined && { apiKey }), timeoutMs: 15_000 })
    } catch (err) {
      throw new FetchError(`GET ${path}: ${(err as Error).message}`)
    }
    if (!res.ok) throw new FetchError(`GET ${path}: HTTP ${res.status} ${res.text.slice(0, 300)}`)
    return res.text
  }

  const poll = async (): Promise<number | undefined> => {
    const last = await readWitnessState(statePath)
    const note = await get(`/checkpoints/latest${query({})}`)
    const outcome = await witnessStep(last, note, { verifiers, ...(origin !== undefined && { origin }) },
      async (from, to) => JSON.parse(await get(`/proofs/consistency${query({ from, to })}`)) as unknown)
    switch (outcome.kind) {
      case 'alarm': {
        const evidence = `${statePath}.alarm.json`
        await writeFile(evidence, JSON.stringify({ at: new Date().toISOString(), url: base, reason: outcome.reason, ...outcome.evidence }, null, 2) + '\n')
        io.err(`${new Date().toISOString()} witness: ALARM ${last?.origin ?? origin ?? base}: ${outcome.reason} (evidence in ${evidence})\n`)
        return 1
      }
      case 'first':
        await writeWitnessState(statePath, outcome.state)
        log(`${outcome.state.origin}: first checkpoint, size ${outcome.state.size} root ${outcome.state.root_hash}, stored in ${statePath}`)
        return undefined
      case 'unchanged':
        log(`${outcome.state.origin}: unchanged at size ${outcome.state.size}`)
        return undefined
      case 'grew':
        await writeWitnessState(statePath, outcome.state)
        log(`${outcome.state.origin}: grew from ${outcome.from} to ${outcome.state.size}, consistent; root ${outcome.state.root_hash}`)
        return undefined
    }
  }

  let stopping = false
  let wake: (() => void) | undefined
  const stop = () => { stopping = true; wake?.() }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  try {
    for (;;) {
      try {
        const code = await poll()
        if (code !== undefined) return code
      } catch (err) {
        if (!(err instanceof FetchError)) {
          io.err(`${new Date().toISOString()} witness: ${(err as Error).message}\n`)
          return 2
        }
        io.err(`${new Date().toISOString()} witness: cannot check now: ${err.message}\n`)
        if (values.once === true) return 2
      }
      if (values.once === true || stopping) return 0
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, interval * 1000)
        wake = () => { clearTimeout(timer); resolve() }
      })
      if (stopping) return 0
    }
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}
