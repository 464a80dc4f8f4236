import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { migrate } from './migrate.js'
import { API_NODE_FLAGS } from '../api-node-flags.js'

/**
 * `audit-service start`: migrations first, then the API and the worker as two processes (the
 * same split as in production), stopped together.
 */
export async function start (): Promise<void> {
  await migrate()
  const cli = fileURLToPath(new URL('../cli.js', import.meta.url))
  const execArgv = (command: string) => command === 'api' ? [...process.execArgv, ...API_NODE_FLAGS.filter(flag => !process.execArgv.includes(flag))] : process.execArgv
  const children: ChildProcess[] = ['api', 'worker'].map(command => fork(cli, [command], { stdio: 'inherit', execArgv: execArgv(command) }))
  let stopping = false
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    for (const child of children) if (child.exitCode === null) child.kill(signal)
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGTERM'))
  const codes = await Promise.all(children.map(child => new Promise<number>(resolve => {
    child.on('exit', (code) => {
      // One half gone means the service is broken: take the other down too.
      stop('SIGTERM')
      resolve(code ?? 1)
    })
  })))
  process.exitCode = Math.max(...codes)
}
