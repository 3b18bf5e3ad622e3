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
  say "installing Python dependencies (uv sync --frozen, compiled to bytecode)"
  # --compile-bytecode: a machine that sets PYTHONDONTWRITEBYTECODE (as some containers do)
  # would otherwise compile every imported module from source in every process it starts, about
  # 1.8 s of CPU per service start (registration: 3.3 s to import, 1.5 s from bytecode).
  (cd "$REPO_ROOT" && uv sync --frozen --quiet --compile-bytecode)
  compile_sources
  vendor_assets
}

# The project's own packages are installed editable, so uv does not compile them: compileall
# does, and skips a module whose bytecode is already newer than its source.
compile_sources() {
  (cd "$REPO_ROOT" && "$PYTHON" -m compileall -q -j 0 shared/src services/*/src testkit/src \
    deploy/fake-sms-gateway/src >/dev/null)
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
    compile_sources
    vendor_assets
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

# Browser assets served by the portal and by every service's /docs, from pinned npm packages
# (deploy/assets/package-lock.json), so that nothing is loaded from a CDN at run time.
vendor_assets() {
  local assets="$REPO_ROOT/deploy/assets" stamp
  stamp="$assets/node_modules/.xkld-lock-$(sha256sum "$assets/package-lock.json" | cut -c1-16)"
  if [[ ! -f "$stamp" ]]; then
    command -v npm >/dev/null 2>&1 || die "npm is needed once, to fetch the pinned browser assets"
    say "vendoring browser assets (npm ci --ignore-scripts in deploy/assets)"
    (cd "$assets" && npm ci --ignore-scripts --no-audit --no-fund --silent) && touch "$stamp"
  fi
  local modules="$assets/node_modules"
  local portal="$REPO_ROOT/services/portal/src/xkld_portal/static/vendor"
  local docs="$REPO_ROOT/shared/src/xkld_shared/http/static/swagger"
  mkdir -p "$portal" "$docs"
  cp "$modules/htmx.org/dist/htmx.min.js" "$portal/htmx.min.js"
  cp "$modules/axe-core/axe.min.js" "$REPO_ROOT/services/portal/tests/axe.min.js"
  cp "$modules/swagger-ui-dist/swagger-ui-bundle.js" "$modules/swagger-ui-dist/swagger-ui.css" "$docs/"
  cp "$modules/swagger-ui-dist/favicon-32x32.png" "$docs/favicon.png"
}

# Debian's chromium for the portal's browser tests (Playwright drives it; its own browser
# download cannot work on a machine that reaches only package registries).
ensure_chromium() {
  command -v chromium >/dev/null 2>&1 && return
  say "installing Debian's chromium for the browser tests"
  if [[ "$(id -u)" -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

# Debian's prometheus package, for its promtool: the suite checks and unit-tests the alert rules
# (deploy/prometheus/alerts.yml) with it. Only the tool is used; no Prometheus server is started.
ensure_promtool() {
  command -v promtool >/dev/null 2>&1 && return
  say "installing Debian's prometheus (promtool) for the alert-rule tests"
  local apt=(apt-get install -y -qq --no-install-recommends prometheus)
  if [[ "$(id -u)" -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive "${apt[@]}" >/dev/null
  fi
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
