// Entry: runs one autocannon load in its own process and prints its LoadResult as JSON.
// The /health probe runs here so that the ingest load generator's busy event loop in the
// bench process does not inflate the probe's latencies.
import { runLoad, type LoadOptions } from './run-load.js'

const options = JSON.parse(process.argv[2] ?? '{}') as LoadOptions
const result = await runLoad(options)
process.stdout.write(JSON.stringify(result))
