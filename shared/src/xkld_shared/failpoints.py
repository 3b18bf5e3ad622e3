"""Failpoints: named places where a test can make the process die on purpose.

Crash-recovery tests need a crash at an exact instruction (for example, after the relay
published but before it marked the rows), which no outside signal can hit reliably. A failpoint
does nothing unless `XKLD_FAILPOINTS` names it, e.g. `XKLD_FAILPOINTS=relay.after_publish`.
"""

from __future__ import annotations

import os

_EXIT_CODE = 137  # what a SIGKILL'd process reports: no cleanup, no commit


def enabled() -> frozenset[str]:
    return frozenset(filter(None, os.environ.get("XKLD_FAILPOINTS", "").split(",")))


def hit(name: str, active: frozenset[str]) -> None:
    """Exit at once, as if killed, when `name` is active."""
    if name in active:
        os._exit(_EXIT_CODE)
