# Shared by scripts/run, scripts/test, scripts/stop, scripts/backup and scripts/restore.
# Sourced, not run.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV_VERSION=0.13.8
# The services run from the project's environment directly (no `uv run` wrapper in between), so
# the pid scripts/run records is the service's own.
PYTHON="$REPO_ROOT/.venv/bin/python"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() {
  printf '\033[1;31mxkld: %s\033[0m\n' "$*" >&2
  exit 1
}

ensure_uv() {
  if ! command -v uv >/dev/null 2>&1 || [[ "$(uv --version | awk '{print $2}')" != "$UV_VERSION" ]]; then
    say "installing uv $UV_VERSION"
    python3 -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  fi
}

sync_env() {
  ensure_uv
  say "installing Python dependencies (uv sync --frozen)"
  (cd "$REPO_ROOT" && uv sync --frozen --quiet)
}

# uv sync only when the lock file, the project files or uv's version changed since the last one
# that worked (the stamp lives in the environment, so a deleted .venv is rebuilt).
sync_env_if_changed() {
  local stamp="$REPO_ROOT/.venv/.xkld-synced" want
  want="$UV_VERSION $(cat "$REPO_ROOT/uv.lock" "$REPO_ROOT"/pyproject.toml \
    "$REPO_ROOT"/services/*/pyproject.toml "$REPO_ROOT"/shared/pyproject.toml \
    "$REPO_ROOT"/deploy/*/pyproject.toml 2>/dev/null | sha256sum | cut -d' ' -f1)"
  if [[ -x "$PYTHON" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    say "Python dependencies unchanged since the last install (delete $stamp to force one)"
    return
  fi
  sync_env
  echo "$want" >"$stamp"
}

start_infra() { # kafka mode: single (default) or cluster
  local mode="${1:-single}"
  say "starting PostgreSQL (${XKLD_PG_PROFILE:-durable} profile) and Kafka ($mode) (state in $XKLD_STATE)"
  bash "$REPO_ROOT/deploy/infra/postgres.sh" start
  bash "$REPO_ROOT/deploy/infra/kafka.sh" start "$mode"
  bash "$REPO_ROOT/deploy/infra/postgres.sh" wait 60
  bash "$REPO_ROOT/deploy/infra/kafka.sh" wait "$mode" 180
}

stop_infra() {
  bash "$REPO_ROOT/deploy/infra/kafka.sh" stop all || true
  bash "$REPO_ROOT/deploy/infra/postgres.sh" stop || true
}

# ------------------------------------------------------- supervised processes ---
# scripts/run starts every service in a session (and process group) of its own, whose id is the
# service's pid. <run dir>/<name>.pid holds that pid and the module, so a recycled pid is not
# taken for the service, and stopping signals the whole group (HTTP worker processes included).

pid_of() { # run dir, name -> the service's pid if it runs, else nothing
  local file="$1/$2.pid" pid module
  [[ -f "$file" ]] || return 0
  { read -r pid && read -r module; } <"$file" || true
  [[ "$pid" =~ ^[0-9]+$ && -n "${module:-}" ]] || return 0
  if { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "-m $module"; then
    echo "$pid"
  fi
}

group_alive() { kill -0 -- "-$1" 2>/dev/null; }

stop_service() { # run dir, name: SIGTERM to its group (a graceful drain), SIGKILL after 30 s
  local pid i
  pid="$(pid_of "$1" "$2")"
  if [[ -n "$pid" ]]; then
    say "stopping $2 (process group $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
      group_alive "$pid" || break
      sleep 0.2
    done
    if group_alive "$pid"; then
      say "$2 did not stop within 30 s: SIGKILL to its process group"
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$1/$2.pid"
}

port_holder() { # port -> "pid (command)" of the process listening on it, if any
  ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\2 (\1)/p' | head -n 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
