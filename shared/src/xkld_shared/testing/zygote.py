"""A warm parent for the service processes of a test worker: `python -m xkld_shared.testing.zygote`.

The suite starts a service process about 260 times, and each `python -m xkld_<service>` spent
about 2 s of CPU on a 2 GHz core importing FastAPI, pydantic, FastStream, asyncpg and the rest
before it ran a line of its own. On two cores that was a quarter of the suite's CPU. This
process imports every service once, then forks a child per start. The child is still a process
of its own, which a test can SIGTERM or SIGKILL, and it runs the service's `__main__` as
`python -m` would, with its own environment, arguments and log.

Protocol: one JSON line per message. A request `{"module", "args", "env", "log"}` on stdin is
answered with `{"pid": N}` on stdout. When a child exits, `{"exited": N, "code": C}` follows,
with C as `subprocess.Popen.returncode` gives it (a signal's death is minus its number). The
zygote exits when its stdin closes: its test worker has gone.
"""

from __future__ import annotations

import importlib
import json
import os
import runpy
import select
import signal
import sys
from pathlib import Path
from typing import Any

SERVICES = ("registration", "loans", "notifications", "reporting", "outreach", "portal")
# What each service's `__main__` imports, not `__main__` itself: runpy runs that fresh in the
# child, and would warn about a copy already imported.
PRELOAD = (
    "xkld_shared.cli",
    "xkld_shared.identity.server.cli",
    "xkld_shared.identity.server.app",
    *(f"xkld_{service}.{part}" for service in SERVICES for part in ("bootstrap", "settings")),
    # uvicorn imports its loop, protocol and lifespan modules only when a server starts.
    "uvicorn.loops.auto",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.websockets.auto",
    "uvicorn.lifespan.on",
)


def main() -> int:
    for name in PRELOAD:
        importlib.import_module(name)
    requests, replies = os.dup(0), os.dup(1)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # only to wake the select below
    pending = b""
    while True:
        readable, _, _ = select.select([requests, wake_read], [], [])
        if wake_read in readable:
            os.read(wake_read, 4096)
        _report_exits(replies)
        if requests not in readable:
            continue
        chunk = os.read(requests, 1 << 20)
        if not chunk:
            return 0
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            request = json.loads(line)
            pid = os.fork()
            if pid == 0:
                for fd in (requests, replies, wake_read, wake_write):
                    os.close(fd)
                return _run_child(request)
            _reply(replies, {"pid": pid})


def _report_exits(replies: int) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _reply(replies, {"exited": pid, "code": os.waitstatus_to_exitcode(status)})


def _reply(replies: int, message: dict[str, int]) -> None:
    os.write(replies, json.dumps(message).encode() + b"\n")


def _run_child(request: dict[str, Any]) -> int:
    """Becomes the service, as `python -m module args` with `env` and output to `log` would."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.close(nothing)
    # `ps` and `top` show the service, not the zygote it was forked from (at most 15 bytes).
    name = request["module"].removeprefix("xkld_").removeprefix("shared.").removeprefix("testing.")
    Path("/proc/self/comm").write_text(name[:15])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [request["module"], *request["args"]]
    runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
