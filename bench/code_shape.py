"""The shape of the services' source: function lengths and module sizes (issue 14's measures).

Run: `uv run python bench/code_shape.py [path ...]` (default: every service's `src/`).
A function's length is its lines from `def` to its last line, decorators excluded; methods and
nested functions count on their own. Migrations are left out: they are frozen SQL, not code
anyone reshapes.
"""

from __future__ import annotations

import ast
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODULE_LIMIT = 300
FUNCTION_LIMIT = 50


def sources(roots: list[Path]) -> Iterator[Path]:
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def function_lengths(path: Path) -> Iterator[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            end = node.end_lineno or node.lineno
            yield f"{path.relative_to(REPO)}:{node.lineno} {node.name}", end - node.lineno + 1


def percentile(values: list[int], fraction: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main(args: list[str]) -> None:
    roots = [Path(a).resolve() for a in args] or sorted(REPO.glob("services/*/src"))
    files = list(sources(roots))
    lengths = [item for path in files for item in function_lengths(path)]
    sizes = [n for _, n in lengths]
    print(f"files {len(files)}, functions {len(sizes)}")
    print(
        f"function length: median {statistics.median(sizes):g}, "
        f"p90 {percentile(sizes, 0.9)}, max {max(sizes)}"
    )
    long = sorted((n, name) for name, n in lengths if n > FUNCTION_LIMIT)
    print(f"functions over {FUNCTION_LIMIT} lines: {len(long)}")
    for n, name in long[-10:]:
        print(f"  {n:4d}  {name}")
    big = [(len(p.read_text(encoding="utf-8").splitlines()), p) for p in files]
    over = sorted((n, p) for n, p in big if n > MODULE_LIMIT)
    print(f"modules over {MODULE_LIMIT} lines: {len(over)}")
    for n, p in over[-10:]:
        print(f"  {n:4d}  {p.relative_to(REPO)}")


if __name__ == "__main__":
    main(sys.argv[1:])
