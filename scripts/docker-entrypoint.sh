#!/bin/sh
# The image's entrypoint: `docker run audit-service <role> [args]`. The API runs with the V8
# flags of src/runtime/api-node-flags.ts (they size the heap at start-up, so they must be on
# the command line); every other role with V8's defaults (`start` passes them to its API child).
if [ "${1:-}" = api ]; then
  exec node --max-semi-space-size=8 dist/src/cli.js "$@"
fi
exec node dist/src/cli.js "$@"
