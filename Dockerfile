# syntax=docker/dockerfile:1
#
# One image for every role: `api` (default), `worker`, `migrate`, `start`.
#   docker build -t audit-service .
#   docker run --rm -e DATABASE_URL=... audit-service migrate
#   docker run -d -p 3000:3000 -e DATABASE_URL=... -e REDIS_URL=... audit-service api
#   docker run -d -e DATABASE_URL=... -e REDIS_URL=... audit-service worker
# Configuration is environment only: see .env.example.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, compile TypeScript, then drop dev dependencies ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_UPDATE_NOTIFIER=false
# Manifests first, so the dependency layer is reused while only sources change.
COPY package.json package-lock.json ./
# npm may warn that it skips install scripts (esbuild, msgpackr-extract): neither is needed.
# esbuild is a dev tool (tsx); msgpackr-extract loads its prebuilt binary from
# @msgpackr-extract/* at run time. No compiler is needed in this image.
RUN npm ci
COPY . .
# prune leaves the emptied @scope directories of dev packages behind: remove them too.
RUN npm run build \
 && npm prune --omit=dev \
 && find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete \
 && npm cache clean --force

# ---- runtime: compiled JavaScript + production node_modules, non-root ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    HEALTH_PORT=3001 \
    DEV_KEY_DIR=/home/node/.config/audit-service
WORKDIR /app
# Official node images have the user "node" (uid 1000); create it if a base lacks it. The
# dev signing-key directory exists and belongs to it, so a volume mounted there (shared by
# api and worker) starts out writable by the service.
RUN if ! id -u node >/dev/null 2>&1; then useradd --create-home --uid 1000 --user-group --shell /usr/sbin/nologin node; fi \
 && mkdir -p "$DEV_KEY_DIR" \
 && chown -R node:node /home/node/.config \
 && chmod 700 "$DEV_KEY_DIR"
# Application files stay owned by root: the service can read them, not rewrite them.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY scripts/docker-entrypoint.sh ./docker-entrypoint.sh
USER node
# 3001: HEALTH_PORT, /health for the load balancer (docs/deploy.md); not for the internet.
EXPOSE 3000 3001
# Liveness only (no I/O): /health/live. Slim images have no curl, so node does the request.
# Meaningful for `api` only; docker-compose.yml checks the worker on its metrics port instead
# and disables it for migrate.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Runs `node dist/src/cli.js <role>`, with the API's V8 heap flags for `api`.
ENTRYPOINT ["./docker-entrypoint.sh"]
CMD ["api"]
