import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { API_NODE_FLAGS } from '../src/api-node-flags.js'
import type { BenchContext } from './bench-context.js'
import { databaseUrl, recreateDatabase } from './bench-database.js'
import type { BaselineBuild } from './baseline-build.js'
import { createApiKey, migrateBenchDatabase, startOtherApi } from './bench-services.js'
import type { BenchPorts } from './bench-ports.js'
import type { ChildService } from './child-service.js'
import { expectAccepted } from './measure-ingest.js'

export interface BaselineApi {
  api: ChildService
  apiKey: string | undefined
  /** The bench database when the baseline's migrations are the service's, else one of its own (`<database>_baseline`). */
  database: string
  /** Which CLI made its key: the service's (shared database, key accepted) or its own. */
  keyFrom: 'service' | 'baseline'
  /** Its own API_NODE_FLAGS when they differ from the service's (it runs with the service's). */
  ownNodeFlags: readonly string[] | undefined
}

/**
 * The baseline's API (`<worktree>/dist/src/cli.js api`) with the service's environment, on
 * ports of its own, sharing Redis and the queue prefix (the keys are deleted between runs).
 * With the same migrations it shares the bench database and the service's key, or makes its
 * own key with its own CLI if it refuses that one; with other migrations it gets a database of
 * its own, migrated and keyed by its own CLI. `probe` is a body it must accept (202). It runs
 * with its own V8 flags (BENCH_BASELINE_FLAGS=service: the service's); they are returned when
 * they differ from the service's.
 */
export async function startBaselineApi (ctx: BenchContext, build: BaselineBuild, ports: BenchPorts, probe: { path: string, body: string }): Promise<BaselineApi> {
  const own = (name: string, port: number) => ctx.env[name] === '0' ? '0' : String(port)
  const env: NodeJS.ProcessEnv = {
    ...ctx.env,
    PORT: String(ports.baselineApi),
    HEALTH_PORT: own('HEALTH_PORT', ports.baselineHealth),
    API_METRICS_PORT: own('API_METRICS_PORT', ports.baselineMetrics)
  }
  const use = { cli: build.cli, env }
  const keyOfItsOwn = () => createApiKey(ctx, ctx.ingestTenant, ['events:write'], use)
  let database = ctx.options.database
  let apiKey = ctx.apiKeys.ingest
  let keyFrom: BaselineApi['keyFrom'] = 'service'
  if (!build.sameMigrations) {
    database = `${ctx.options.database}_baseline`
    ctx.log(`baseline: its migrations differ from the service's; it gets a database of its own (${database})`)
    await recreateDatabase(ctx.options.pgAdminUrl, database)
    env.DATABASE_URL = databaseUrl(ctx.options.pgAdminUrl, database)
    await migrateBenchDatabase(ctx, use)
    apiKey = await keyOfItsOwn()
    keyFrom = 'baseline'
  }
  const theirs = await import(pathToFileURL(join(build.dir, 'dist', 'src', 'api-node-flags.js')).href)
    .then((m: { API_NODE_FLAGS?: readonly string[] }) => m.API_NODE_FLAGS, () => undefined)
  const ownNodeFlags = theirs !== undefined && theirs.join(' ') !== API_NODE_FLAGS.join(' ') ? theirs : undefined
  // By default the baseline runs as it shipped, with its own V8 flags: "today" is its code and
  // its configuration. BENCH_BASELINE_FLAGS=service gives it the service's, to compare code alone.
  const flags = ctx.options.baselineFlags === 'own' && ownNodeFlags !== undefined ? ownNodeFlags : API_NODE_FLAGS
  if (ownNodeFlags !== undefined) ctx.log(`baseline: its own API_NODE_FLAGS (${ownNodeFlags.join(' ')}) differ from the service's (${API_NODE_FLAGS.join(' ')}); it runs with ${flags.join(' ')}`)
  const api = await startOtherApi('baseline', build.cli, env, flags)
  const url = `http://127.0.0.1:${ports.baselineApi}${probe.path}`
  try {
    await expectAccepted(url, probe.body, apiKey)
  } catch (err) {
    if (keyFrom === 'baseline') throw err
    ctx.log(`baseline: refused the service's key (${(err as Error).message.slice(0, 200)}); making one with its own CLI`)
    apiKey = await keyOfItsOwn()
    keyFrom = 'baseline'
    await expectAccepted(url, probe.body, apiKey)
  }
  return { api, apiKey, database, keyFrom, ownNodeFlags }
}
