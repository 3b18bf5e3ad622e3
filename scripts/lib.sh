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
