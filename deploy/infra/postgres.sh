#!/usr/bin/env bash
# Throw-away PostgreSQL 15 cluster for development and tests (no Docker, no system service).
#
# Data lives in ${XKLD_STATE:-<repo>/.state}/postgres/data (or /tmp/xkld-pg-<hash>/data when the
# `postgres` OS user cannot reach the state dir), listening only on 127.0.0.1:${XKLD_PG_PORT:-15432}.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: postgres.sh <command> [args]

  start           initdb if needed, then start (no-op when already running)
  stop            fast shutdown; idempotent
  wait [secs]     block until the server accepts connections (default 30)
  status          show whether it runs, pid, port, data dir
  dsn             print the superuser connection string (contains the password)
  reset           stop and delete the cluster

env: XKLD_STATE, XKLD_PG_PORT (15432), XKLD_PG_ADMIN_PASSWORD (xkld-admin), XKLD_PG_BIN
EOF
}

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

PG_MAJOR=15
PG_BIN="${XKLD_PG_BIN:-/usr/lib/postgresql/$PG_MAJOR/bin}"
PG_PORT="${XKLD_PG_PORT:-15432}"
PG_PASSWORD="${XKLD_PG_ADMIN_PASSWORD:-xkld-admin}"
STATE_ROOT="${XKLD_STATE:-$REPO_ROOT/.state}"
PG_OS_USER=postgres

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ "$PG_PORT" =~ ^[0-9]+$ ]] || die "XKLD_PG_PORT must be a port number"

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

# Run a command as the postgres OS user (when root), from a cwd it can read.
as_pg() {
  if [ "$IS_ROOT" -eq 1 ]; then
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    (cd / && "$@")
  fi
}

# --------------------------------------------------------------- locations ---

# The base dir holds data/, the unix socket, the log. It must be reachable by the postgres user
# (every parent searchable), and the socket path must fit in sun_path (107 bytes).
fallback_base() {
  local h
  h="$(printf '%s' "$STATE_ROOT" | sha256sum | cut -c1-12)"
  echo "/tmp/xkld-pg-$h"
}

pg_can_reach() { # dir: can the postgres user search it (and so every parent)?
  if [ "$IS_ROOT" -eq 1 ]; then
    runuser -u "$PG_OS_USER" -- test -x "$1" 2>/dev/null
  else
    test -x "$1"
  fi
}

resolve_base() {
  local base="$STATE_ROOT/postgres"
  if [ -d "$base/data" ]; then
    echo "$base"
    return
  fi
  if [ -d "$(fallback_base)/data" ]; then
    fallback_base
    return
  fi
  # Nothing initialised yet: prefer the state dir if postgres can get there.
  local sock="$base/.s.PGSQL.$PG_PORT"
  if [ "${#sock}" -le 100 ]; then
    mkdir -p "$STATE_ROOT"
    if pg_can_reach "$STATE_ROOT"; then
      echo "$base"
      return
    fi
  fi
  fallback_base
}

PG_BASE="$(resolve_base)"
PG_DATA="$PG_BASE/data"
PG_LOG="$PG_BASE/postgres.log"
PG_SOCKET_DIR="$PG_BASE"

# ------------------------------------------------------------------- tools ---

ensure_binaries() {
  [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && return 0
  if [ "$IS_ROOT" -eq 1 ] && command -v apt-get >/dev/null 2>&1; then
    log "$PG_BIN/initdb not found: installing postgresql-$PG_MAJOR with apt-get"
    # Don't let the package create and start its own 'main' cluster on 5432.
    if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
      mkdir -p /etc/postgresql-common
      echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
    fi
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "postgresql-$PG_MAJOR")
    "${apt[@]}" >/dev/null 2>&1 ||
      { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && "${apt[@]}" >/dev/null; } ||
      die "apt-get install postgresql-$PG_MAJOR failed"
    [ -x "$PG_BIN/initdb" ] || die "postgresql-$PG_MAJOR installed but $PG_BIN/initdb is still missing"
  else
    die "$PG_BIN/initdb not found: install PostgreSQL $PG_MAJOR (apt-get install postgresql-$PG_MAJOR) or set XKLD_PG_BIN"
  fi
}

pick_locale() {
  if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then echo C.UTF-8; else echo C; fi
}

# ------------------------------------------------------------------ status ---

is_running() {
  [ -f "$PG_DATA/PG_VERSION" ] || return 1
  as_pg "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

server_pid() { head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Serialise start/stop/reset (parallel test jobs, several shells).
lock_state() {
  mkdir -p "$STATE_ROOT"
  exec 9>"$STATE_ROOT/.postgres.lock"
  flock 9
}

# ------------------------------------------------------------------- start ---

init_cluster() {
  log "initialising a new cluster in $PG_DATA"
  if [ "$IS_ROOT" -eq 1 ]; then
    id -u "$PG_OS_USER" >/dev/null 2>&1 || die "OS user '$PG_OS_USER' does not exist (it comes with postgresql-common)"
    mkdir -p "$PG_BASE"
    chown "$PG_OS_USER:" "$PG_BASE"
  else
    mkdir -p "$PG_BASE"
  fi
  chmod 700 "$PG_BASE"
  pg_can_reach "$PG_BASE" || die "the $PG_OS_USER user cannot reach $PG_BASE (check the permissions of its parent dirs)"
  local pwfile="$PG_BASE/.initdb-pw"
  (umask 077 && printf '%s\n' "$PG_PASSWORD" >"$pwfile")
  [ "$IS_ROOT" -eq 1 ] && chown "$PG_OS_USER:" "$pwfile"
  if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$pwfile" \
    --auth-host=scram-sha-256 --auth-local=peer --encoding=UTF8 --locale="$(pick_locale)" \
    --no-sync --no-instructions >"$PG_BASE/initdb.log" 2>&1; then
    rm -f "$pwfile"
    cat "$PG_BASE/initdb.log" >&2
    rm -rf "$PG_DATA"
    die "initdb failed"
  fi
  rm -f "$pwfile"
  printf "\n# Test-box settings managed by deploy/infra/postgres.sh\ninclude 'xkld.conf'\n" |
    as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

write_settings() {
  as_pg tee "$PG_DATA/xkld.conf" >/dev/null <<EOF
# Generated by deploy/infra/postgres.sh on every start. Throw-away test cluster: NOT crash-safe.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 300
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
max_wal_size = 1GB
checkpoint_timeout = 30min
jit = off
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
log_min_error_statement = error
log_connections = off
log_disconnections = off
EOF
}

# Keep the superuser password in step with XKLD_PG_ADMIN_PASSWORD (peer auth over the socket;
# the password goes through stdin, never argv).
sync_password() {
  local esc="${PG_PASSWORD//\'/\'\'}"
  printf "SET log_statement = 'none';\nALTER ROLE postgres PASSWORD '%s';\n" "$esc" |
    as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres \
      >/dev/null || die "could not set the superuser password"
}

cmd_start() {
  ensure_binaries
  lock_state
  if is_running; then
    log "already running (pid $(server_pid), 127.0.0.1:$PG_PORT), nothing to do"
    return 0
  fi
  port_open "$PG_PORT" && die "port 127.0.0.1:$PG_PORT is already in use by another process"
  [ -f "$PG_DATA/PG_VERSION" ] || init_cluster
  write_settings
  if [ "$IS_ROOT" -eq 1 ] && [ ! -e "$PG_LOG" ]; then
    touch "$PG_LOG"
    chown "$PG_OS_USER:" "$PG_LOG"
  fi
  # 9>&-: the postmaster must not inherit (and so hold) the lock.
  if ! as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -s 9>&-; then
    tail -n 40 "$PG_LOG" >&2 || true
    die "pg_ctl start failed"
  fi
  sync_password
  log "started (pid $(server_pid), 127.0.0.1:$PG_PORT, data $PG_DATA, log $PG_LOG)"
}

# -------------------------------------------------------------------- stop ---

cmd_stop() {
  lock_state
  is_running || return 0
  log "stopping (pid $(server_pid))"
  if ! as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 30 -s; then
    log "fast shutdown timed out, using immediate"
    as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 30 -s || true
  fi
  log "stopped"
}

cmd_wait() {
  local timeout_s="${1:-30}" deadline
  [[ "$timeout_s" =~ ^[0-9]+$ ]] || die "timeout must be a number of seconds"
  [ -x "$PG_BIN/pg_isready" ] || die "$PG_BIN/pg_isready not found"
  deadline=$((SECONDS + timeout_s))
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "not ready on 127.0.0.1:$PG_PORT after ${timeout_s}s"
      if [ -s "$PG_LOG" ]; then
        echo "----- last 40 lines of $PG_LOG -----" >&2
        tail -n 40 "$PG_LOG" >&2
      fi
      exit 1
    fi
    sleep 0.3
  done
  log "ready on 127.0.0.1:$PG_PORT"
}

cmd_status() {
  if is_running; then
    echo "postgres running  pid $(server_pid)  127.0.0.1:$PG_PORT  data $PG_DATA"
  elif [ -f "$PG_DATA/PG_VERSION" ]; then
    echo "postgres stopped  data $PG_DATA"
  else
    echo "postgres not initialised"
  fi
}

urlencode() {
  local LC_ALL=C s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      [a-zA-Z0-9.~_-]) out+="$c" ;;
      *) out+="$(printf '%%%02X' "'$c")" ;;
    esac
  done
  echo "$out"
}

cmd_dsn() {
  echo "postgresql://postgres:$(urlencode "$PG_PASSWORD")@127.0.0.1:$PG_PORT/postgres"
}

cmd_reset() {
  cmd_stop
  rm -rf "$PG_BASE"
  log "deleted $PG_BASE"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  wait) cmd_wait "$@" ;;
  status) cmd_status ;;
  dsn) cmd_dsn ;;
  reset) cmd_reset ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
