#!/usr/bin/env node
import { ConfigError } from './config.js'

const usage = `usage: audit-service <command>

commands:
  start     apply migrations, then run the API and the worker
  api       run the HTTP API
  worker    run the append worker
  migrate   create the database if needed and apply migrations
  verify    verify an NDJSON export offline (audit-service verify --help)
  verify-proof  verify a receipt, a tlog-proof or a consistency proof offline (--help)
  witness   watch a log (poll), or run a C2SP tlog-witness server (serve, keygen) (--help)
  keys      create, list and revoke API keys (audit-service keys)
`

const commands: Record<string, () => Promise<void>> = {
  start: async () => (await import('./commands/start.js')).start(),
  api: async () => (await import('./server.js')).main(),
  worker: async () => (await import('../workers/main.js')).main(),
  migrate: async () => (await import('./commands/migrate.js')).migrate(),
  keys: async () => { process.exitCode = await (await import('./commands/keys.js')).keys(process.argv.slice(3)) },
  verify: async () => { process.exitCode = await (await import('./commands/verify.js')).verify(process.argv.slice(3)) },
  'verify-proof': async () => { process.exitCode = await (await import('./commands/verify-proof.js')).verifyProof(process.argv.slice(3)) },
  witness: async () => { process.exitCode = await (await import('./commands/witness.js')).witness(process.argv.slice(3)) }
}

const [command] = process.argv.slice(2)
const run = command === undefined ? undefined : commands[command]
if (run === undefined) {
  process.stderr.write(usage)
  process.exit(command === undefined || command === 'help' || command === '--help' ? 0 : 2)
}
run().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`audit-service: invalid configuration: ${err.message}\n`)
    process.exit(78) // EX_CONFIG
  }
  process.stderr.write(`audit-service ${command}: ${(err as Error).stack ?? String(err)}\n`)
  process.exit(1)
})
