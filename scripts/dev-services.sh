#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432, user postgres, trust auth for localhost) and Redis
# (127.0.0.1:6379) are up on a Debian machine: starts them when stopped, installs them with
# apt-get when missing. Idempotent; the first of the README's two commands runs it, and
# .ci/run sources it for its first step.
#
#   bash scripts/dev-services.sh
#
# CI_PG_PORT, CI_PG_CLUSTER and CI_REDIS_PORT change the port and cluster (to try it without
# touching the shared services). Redis is started without persistence: fine for development
# and tests; see docs/deploy.md for production settings.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=${CI_PG_PORT:-5432}
PG_CLUSTER=${CI_PG_CLUSTER:-main}
REDIS_HOST=127.0.0.1
REDIS_PORT=${CI_REDIS_PORT:-6379}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "${DIE_PREFIX:-dev-services}" "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "needs root (or sudo) to run: $*"
  fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then as_root apt-get update; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

# wait_until SECONDS WHAT COMMAND...: retries COMMAND once a second.
wait_until() {
  local seconds=$1 what=$2; shift 2
  local i
  for ((i = 0; i < seconds; i++)); do
    if "$@"; then return 0; fi
    sleep 1
  done
  die "$what not ready after ${seconds}s"
}

# ---------------------------------------------------------------- PostgreSQL
pg_ready() {
  command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
}

pg_version() {
  ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1
}

# The tests connect as postgres over TCP without a password.
pg_trust_local() {
  local hba="/etc/postgresql/$1/$PG_CLUSTER/pg_hba.conf"
  if ! as_root grep -q '^# added by .ci/run' "$hba"; then
    log "PostgreSQL: trust auth for 127.0.0.1 and ::1 in $hba"
    as_root sed -i '1i # added by .ci/run: tests connect as postgres from localhost without a password\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
}

ensure_postgres() {
  if pg_ready; then log "PostgreSQL is up on $PG_HOST:$PG_PORT"; return; fi
  local fresh=0 version
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(pg_version)" ]; then
    log "PostgreSQL is not installed: installing"
    apt_install postgresql
    fresh=1
  fi
  version=$(pg_version)
  [ -n "$version" ] || die "no PostgreSQL version under /etc/postgresql after install"
  if [ ! -d "/etc/postgresql/$version/$PG_CLUSTER" ]; then
    log "PostgreSQL: creating cluster $version/$PG_CLUSTER on port $PG_PORT"
    as_root pg_createcluster --port "$PG_PORT" "$version" "$PG_CLUSTER"
    fresh=1
  fi
  if [ "$fresh" -eq 1 ]; then pg_trust_local "$version"; fi
  # The package's post-install may already have started it (where service start is allowed).
  if as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" status >/dev/null 2>&1; then
    log "PostgreSQL $version/$PG_CLUSTER is running: reloading its configuration"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" reload
  else
    log "PostgreSQL $version/$PG_CLUSTER is stopped: starting it"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$PG_CLUSTER" start
  fi
  wait_until 60 "PostgreSQL on $PG_HOST:$PG_PORT" pg_ready
  log "PostgreSQL is up on $PG_HOST:$PG_PORT"
}

pg_check_login() {
  psql -w -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -Atqc 'SELECT 1' >/dev/null \
    || die "PostgreSQL is up but 'psql -h $PG_HOST -U postgres' without a password fails: the tests need trust auth for 127.0.0.1 in pg_hba.conf"
}

# ---------------------------------------------------------------- Redis
redis_ready() {
  command -v redis-cli >/dev/null 2>&1 && [ "$(redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
}

ensure_redis() {
  if redis_ready; then log "Redis is up on $REDIS_HOST:$REDIS_PORT"; return; fi
  if ! command -v redis-server >/dev/null 2>&1; then
    log "Redis is not installed: installing"
    apt_install redis-server
    # Its post-install may have started it already.
    if redis_ready; then log "Redis is up on $REDIS_HOST:$REDIS_PORT"; return; fi
  fi
  log "Redis is stopped: starting it"
  as_root mkdir -p /var/lib/redis /var/log/redis
  # No persistence: CI data is throwaway. "-::1" binds IPv6 only where available.
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" \
    --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_until 30 "Redis on $REDIS_HOST:$REDIS_PORT" redis_ready
  log "Redis is up on $REDIS_HOST:$REDIS_PORT"
}

# Run, unless sourced (.ci/run sources this file for its functions).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  ensure_postgres
  pg_check_login
  ensure_redis
fi
