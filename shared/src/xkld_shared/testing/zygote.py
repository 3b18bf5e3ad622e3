"""A warm parent for the service processes of a test worker: `python -m xkld_shared.testing.zygote`.

The suite starts a service process about 280 times, and each `python -m xkld_<service>` spent
2–3 s of CPU on a 2 GHz core importing FastAPI, pydantic, FastStream, asyncpg and the rest
before it ran a line of its own. This process imports every service once, then forks a child
per start. The child is still a process of its own, which a test can SIGTERM or SIGKILL, and it
runs the service's `__main__` as `python -m` would, with its own environment, arguments and log.
What differs: anything a module computed from the environment at import (so services read
their settings when they start, never at import), and what the interpreter fixed at its own
start (`PYTHON*` variables, the hash seed).

Protocol, one JSON line per message:
- `{"fork": {"module", "args", "env", "log"}}` is answered with `{"pid": N}`;
- `{"signal": S, "pid": N}` signals N only while it is a child not yet reaped, so a pid that
  has meanwhile gone to another process is never signalled;
- when a child exits, `{"exited": N, "code": C}` follows, with C as `subprocess.Popen` gives it
  (a death by signal is minus its number).
The zygote exits when its stdin closes: its test worker has gone.
"""

from __future__ import annotations

import gc
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


class _Zygote:
    def __init__(self) -> None:
        self.requests, self.replies = os.dup(0), os.dup(1)
        os.dup2(2, 1)  # a stray print must not land in the protocol
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_write, False)
        self.children: set[int] = set()

    def serve(self) -> int:
        signal.set_wakeup_fd(self.wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)  # only to wake the select below
        pending = b""
        while True:
            readable, _, _ = select.select([self.requests, self.wake_read], [], [])
            if self.wake_read in readable:
                os.read(self.wake_read, 4096)
            self._report_exits()
            if self.requests not in readable:
                continue
            chunk = os.read(self.requests, 1 << 20)
            if not chunk:
                return 0
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                message = json.loads(line)
                if "signal" in message:
                    self._signal(message["pid"], message["signal"])
                elif (pid := os.fork()) == 0:
                    self._become_child()
                    return _run_child(message["fork"])
                else:
                    self.children.add(pid)
                    self._reply({"pid": pid})

    def _signal(self, pid: int, sig: int) -> None:
        if pid in self.children:  # not yet reaped, so still this child (or its zombie)
            os.kill(pid, sig)

    def _report_exits(self) -> None:
        while self.children:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                return
            self.children.discard(pid)
            self._reply({"exited": pid, "code": os.waitstatus_to_exitcode(status)})

    def _reply(self, message: dict[str, int]) -> None:
        os.write(self.replies, json.dumps(message).encode() + b"\n")

    def _become_child(self) -> None:
        for fd in (self.requests, self.replies, self.wake_read, self.wake_write):
            os.close(fd)
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)


def _run_child(request: dict[str, Any]) -> int:
    """Becomes the service, as `python -m module args` with `env` and output to `log` would."""
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


def main() -> int:
    for name in PRELOAD:
        importlib.import_module(name)
    # What the imports built is never freed: the children's collections then skip it, and do
    # not copy its memory pages by touching them.
    gc.freeze()
    return _Zygote().serve()


if __name__ == "__main__":
    sys.exit(main())
