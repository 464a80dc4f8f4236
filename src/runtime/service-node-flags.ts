/**
 * V8 flags every service process (api, worker, start) runs with. They size the heap when the
 * isolate is created, so unlike `--heap-growing-percent` (limit-heap-growth.ts) they cannot be
 * set from inside the process: whatever starts `dist/src/cli.js` passes them on the command
 * line. The Dockerfile's ENTRYPOINT, the package.json scripts and the bench do;
 * test/service-node-flags.test.ts checks that they agree with this list.
 *
 * `--max-semi-space-size=4` (MB; V8's default on a 64-bit machine with this much memory is 16):
 * the young generation then takes 8-12 MB instead of 32-48 MB. The API's requests leave
 * little alive after a scavenge, so it costs few extra promotions; it is what keeps the API
 * under 150 MB RSS (bench/README.md, figure 7).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4']
