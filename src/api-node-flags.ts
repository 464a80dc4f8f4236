/**
 * V8 flags the API process runs with. They size the heap when the isolate is created, so
 * unlike `--heap-growing-percent` (limit-heap-growth.ts) they cannot be set from inside the
 * process: whatever starts `dist/src/cli.js api` passes them on the command line. The Docker
 * entrypoint (scripts/docker-entrypoint.sh), `npm run api`, `start` (for its API child) and
 * the bench do; test/api-node-flags.test.ts checks that they agree with this list.
 *
 * `--max-semi-space-size=8` (MB; V8's default on a 64-bit machine with this much memory is 16):
 * the young generation then takes 24 MB instead of up to 48 MB. Smaller is not better: at 4 MB
 * a batch request's data (the parsed body, its records and receipts) outlived the scavenges,
 * was promoted and grew the old space, and the API peaked at 156-160 MB RSS under batch ingest
 * against 141-145 MB at 8, for the same CPU per event (bench/README.md, figure 7). The worker
 * keeps V8's default: its batches of thousands of records outlive small scavenges, and with
 * 4 MB it spent about 35% more
 * CPU per event (figure 3) for memory it did not need.
 */
export const API_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8']
