#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on loopback for the PostgreSQL catalogue tests, and prints
# the line to export:   eval "$(scripts/postgres-test-server.sh)"   then   npx vitest run test/node/postgres.test.ts
# Stop it with:          scripts/postgres-test-server.sh stop
#
# Installs Debian's postgresql with apt-get only when no server binaries are found. The cluster lives in
# a temporary folder owned by the `postgres` user (initdb refuses to run as root), listens only on
# 127.0.0.1 (no Unix socket in shared folders) and trusts every local connection: never use it for real data.
# Progress goes to stderr so stdout holds only the export line.
set -euo pipefail

PORT="${ZOOBOT_PG_PORT:-55432}"
DATA_DIR="${ZOOBOT_PG_DIR:-/tmp/zoobot-pg-test}"
RUN_AS=postgres

log() { echo "postgres-test-server: $*" >&2; }

find_bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/pg_ctl" && -x "$dir/initdb" ]] && { echo "$dir"; return 0; }
  done
  command -v pg_ctl >/dev/null 2>&1 && { dirname "$(command -v pg_ctl)"; return 0; }
  return 1
}

# Runs a command as the postgres user (or as ourselves when we are not root).
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u "$RUN_AS" -- "$@"; else "$@"; fi
}

BINDIR="$(find_bindir || true)"
if [[ -z "$BINDIR" ]]; then
  log "installing postgresql with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends postgresql >&2
  BINDIR="$(find_bindir)"
fi

if [[ "${1:-start}" == stop ]]; then
  if [[ -f "$DATA_DIR/postmaster.pid" ]]; then as_owner "$BINDIR/pg_ctl" -D "$DATA_DIR" -m fast stop >&2; fi
  rm -rf "$DATA_DIR"
  log "stopped and removed $DATA_DIR"
  exit 0
fi

if [[ "$(id -u)" != 0 ]]; then RUN_AS="$(id -un)"; fi

if [[ -f "$DATA_DIR/postmaster.pid" ]] && as_owner "$BINDIR/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1; then
  log "already running in $DATA_DIR"
else
  rm -rf "$DATA_DIR"
  mkdir -p "$DATA_DIR"
  if [[ "$(id -u)" == 0 ]]; then chown "$RUN_AS" "$DATA_DIR"; fi
  as_owner "$BINDIR/initdb" -D "$DATA_DIR" -U postgres --auth=trust --encoding=UTF8 --no-locale >&2
  as_owner "$BINDIR/pg_ctl" -D "$DATA_DIR" -l "$DATA_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$DATA_DIR -c fsync=off" start >&2
  log "running on 127.0.0.1:$PORT (data and log in $DATA_DIR)"
fi

echo "export ZOOBOT_PG_URL=postgresql://postgres@127.0.0.1:$PORT/postgres"
