"""Failpoints: named places where a test can make the process die or stall on purpose.

Crash-recovery and concurrency tests need something to happen at an exact instruction (the
relay dying after publishing but before marking; a request holding its transaction open while
a retry arrives), which no outside signal can hit reliably. A failpoint does nothing unless
`XKLD_FAILPOINTS` names it: `XKLD_FAILPOINTS=relay.after_publish` (exit at once, as if killed)
or `XKLD_FAILPOINTS=loans.disbursement.before_commit=sleep:0.5` (stall that long).
"""

from __future__ import annotations

import asyncio
import os

_EXIT_CODE = 137  # what a SIGKILL'd process reports: no cleanup, no commit

Active = dict[str, str]


def enabled() -> Active:
    active: Active = {}
    for item in filter(None, os.environ.get("XKLD_FAILPOINTS", "").split(",")):
        name, _, action = item.partition("=")
        active[name.strip()] = action.strip() or "exit"
    return active


def hit(name: str, active: Active) -> None:
    """Exit at once, as if killed, when `name` is active with the `exit` action."""
    if active.get(name) == "exit":
        os._exit(_EXIT_CODE)


async def stall(name: str, active: Active) -> None:
    """Wait, when `name` is active with `sleep:SECONDS`, to widen a race a test must hit."""
    action = active.get(name, "")
    if action.startswith("sleep:"):
        await asyncio.sleep(float(action.removeprefix("sleep:")))
