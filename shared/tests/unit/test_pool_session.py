"""Pooled connections are handed on without asyncpg's reset query (`db/pool.py`), so no code
may leave session state on one: the next user of the connection would inherit it."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
# Session state a pooled connection would carry to its next user.
SESSION_STATE = re.compile(
    r"pg_(try_)?advisory_lock(_shared)?\s*\("  # session advisory locks (xact ones end at commit)
    r"|[\"']\s*SET\s+(?!LOCAL\b)"  # a statement that begins with SET, not SET LOCAL
    r"|set_config\s*\([^)]*,\s*false\s*\)"  # set_config(name, value, is_local => false)
    r"|[\"']\s*(UN)?LISTEN\b"
    r"|\bDECLARE\s+\w+\s+.*CURSOR\s+WITH\s+HOLD",  # SQL is written in capitals here
)
# These hold session state on connections of their own, never on a pool's.
OWN_CONNECTIONS = {
    "shared/src/xkld_shared/provision.py",
    "shared/src/xkld_shared/backup.py",
    "shared/src/xkld_shared/db/wakeup.py",
}


def sources() -> list[Path]:
    roots = [REPO / "shared" / "src", *sorted(REPO.glob("services/*/src"))]
    return [p for root in roots for p in sorted(root.rglob("*.py")) if "migrations" not in p.parts]


def test_the_pattern_finds_session_state_where_it_is() -> None:
    assert SESSION_STATE.search('await conn.execute("SET search_path TO x")')
    assert SESSION_STATE.search("SELECT pg_advisory_lock(42)")
    assert SESSION_STATE.search("'LISTEN wake'")
    assert not SESSION_STATE.search("\"SET LOCAL statement_timeout = '5s'\"")
    assert not SESSION_STATE.search("UPDATE t SET a = 1")
    assert not SESSION_STATE.search("SELECT pg_advisory_xact_lock(42)")


def test_no_service_code_leaves_session_state_on_a_pooled_connection() -> None:
    found = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path in sources()
        if str(path.relative_to(REPO)) not in OWN_CONNECTIONS
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SESSION_STATE.search(line)
    ]
    assert found == []
