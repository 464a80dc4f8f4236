/**
 * V8 flags the API process runs with. They size the heap when the isolate is created, so
 * unlike `--heap-growing-percent` (limit-heap-growth.ts) they cannot be set from inside the
 * process: whatever starts `dist/src/cli.js api` passes them on the command line. The Docker
 * entrypoint (scripts/docker-entrypoint.sh), `npm run api`, `start` (for its API child) and
 * the bench do; test/api-node-flags.test.ts checks that they agree with this list.
 *
 * `--max-semi-space-size=4` (MB; V8's default on a 64-bit machine with this much memory is 16):
 * the young generation then takes 12 MB instead of up to 48 MB. An API request leaves little
 * alive after a scavenge, so the API pays few extra promotions for it; it took about 25 MB
 * off the API's RSS (bench/README.md, figure 7). The worker keeps V8's default: its batches
 * of thousands of records outlive small scavenges, and with this flag it spent about 35% more
 * CPU per event (figure 3) for memory it did not need.
 */
export const API_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4']
