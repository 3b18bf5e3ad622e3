# Shared by scripts/run, scripts/test and scripts/stop. Sourced, not run.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV_VERSION=0.13.8

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

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

start_infra() {
  say "starting PostgreSQL and Kafka (state in $XKLD_STATE)"
  bash "$REPO_ROOT/deploy/infra/postgres.sh" start
  bash "$REPO_ROOT/deploy/infra/kafka.sh" start single
  bash "$REPO_ROOT/deploy/infra/postgres.sh" wait 60
  bash "$REPO_ROOT/deploy/infra/kafka.sh" wait single 120
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
