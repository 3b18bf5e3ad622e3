#!/usr/bin/env bash
# The portal benchmark on an earlier commit and on this checkout, taking turns, in one sitting.
#
#   bash bench/portal_ab.sh <base-commit> [rounds] [-- bench.portal options]
#   bash bench/portal_ab.sh 0e013c2 3 -- --clients 8 --seconds 20 --files 100
#
# A figure from another day is no baseline on a shared 2-core machine: the same code served
# 56 and 79 pages/s twenty minutes apart. Taking turns (base, head, base, head …) puts both
# commits under the same conditions, so a regression shows as head below base in most rounds.
# Needs the test infrastructure (XKLD_TEST_PG_ADMIN_DSN, XKLD_TEST_KAFKA_BOOTSTRAP) like
# bench.portal itself. The base runs from a throw-away git worktree, removed at the end.
set -euo pipefail

base="${1:?usage: bench/portal_ab.sh <base-commit> [rounds] [-- bench.portal options]}"
shift
rounds=2
if [[ $# -gt 0 && "$1" != "--" ]]; then rounds="$1"; shift; fi
[[ "${1:-}" == "--" ]] && shift
options=("$@")
[[ ${#options[@]} -gt 0 ]] || options=(--clients 8 --seconds 20 --warmup 3 --files 100)

head="$(git rev-parse --show-toplevel)"
scratch="$(mktemp -d)"
trap 'git -C "$head" worktree remove --force "$scratch/base" >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
git -C "$head" worktree add --detach "$scratch/base" "$base" >/dev/null
# The browser assets are git-ignored; the base gets this checkout's copies.
for assets in shared/src/xkld_shared/http/static services/portal/src/xkld_portal/static/vendor; do
  mkdir -p "$scratch/base/$(dirname "$assets")"
  cp -r "$head/$assets" "$scratch/base/$assets"
done
(cd "$scratch/base" && uv sync --frozen --quiet)

declare -A figures=([base]="" [head]="")
for round in $(seq "$rounds"); do
  for side in base head; do
    dir="$head"
    [[ "$side" == base ]] && dir="$scratch/base"
    load="$(cut -d' ' -f1 /proc/loadavg)"
    out="$scratch/$side-$round.txt"
    (cd "$dir" && uv run python -m bench.portal "${options[@]}") >"$out"
    line="$(grep -m1 'pages (' "$out")"
    rate="$(sed -E 's/.*\(([0-9.]+)\/s\).*/\1/' <<<"$line")"
    figures[$side]+=" $rate"
    echo "round $round, $side ($(git -C "$dir" rev-parse --short HEAD)), load $load: $rate pages/s"
    sed -n '/^page /,/^$/p' "$out"
  done
done
echo "pages/s by round — base ($base):${figures[base]}; head:${figures[head]}"
