"""Service processes forked by a warm zygote (`zygote.py`), behind the part of
`subprocess.Popen` that the harness uses: `pid`, `poll`, `returncode`, `send_signal`, `kill`.

`XKLD_TEST_FORK=0` turns this off: each service is then started by `python -m`, as
`./scripts/run` starts it.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Protocol

# The zygote imports every service before it answers its first request: about 6 s of CPU,
# stretched by a busy machine.
_ANSWER_SECONDS = float(os.environ.get("XKLD_TEST_START_TIMEOUT", "120"))


class Process(Protocol):
    @property
    def pid(self) -> int: ...

    @property
    def returncode(self) -> int | None: ...

    def poll(self) -> int | None: ...

    def send_signal(self, sig: int) -> None: ...

    def kill(self) -> None: ...


class ZygoteLost(RuntimeError):
    """The zygote died: the exits of the children it forked can no longer be known."""


def forking_enabled() -> bool:
    return os.environ.get("XKLD_TEST_FORK", "1") != "0"


class Zygote:
    """A zygote process and what it has said. The test worker's own is `of_this_worker()`.

    Thread-safe: a service may be started from a thread (see `start`) while the event loop's
    thread asks another child's exit."""

    _current: Zygote | None = None
    _starting = threading.Lock()

    @classmethod
    def of_this_worker(cls) -> Zygote:
        with cls._starting:
            if cls._current is None or cls._current.lost:
                cls._current = cls()
                atexit.register(cls._current.close)
            return cls._current

    def __init__(self) -> None:
        self._log = Path(tempfile.mkstemp(prefix="zygote-", suffix=".log")[1])
        with self._log.open("ab") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "xkld_shared.testing.zygote"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        assert self._proc.stdout is not None
        self._answers = self._proc.stdout.fileno()
        os.set_blocking(self._answers, False)
        self._lock = threading.Lock()
        self._pending = b""
        self._forked: list[int] = []
        self._exits: dict[int, int] = {}
        self.lost = False

    def fork(self, module: str, args: tuple[str, ...], env: dict[str, str], log: Path) -> int:
        request = {"module": module, "args": list(args), "env": env, "log": str(log)}
        with self._lock:
            self._send({"fork": request})
            deadline = time.monotonic() + _ANSWER_SECONDS
            while time.monotonic() < deadline and not self.lost:
                self._read(wait=1.0)
                if self._forked:
                    return self._forked.pop(0)
        # An answer that comes later would be taken for the next request's: end this zygote.
        self.close()
        raise RuntimeError(f"the zygote did not fork {module}:\n{self._log.read_text()[-4000:]}")

    def signal(self, pid: int, sig: int) -> None:
        """Sent through the zygote, which alone knows whether `pid` is still its child."""
        with self._lock:
            self._send({"signal": int(sig), "pid": pid})

    def exit_code(self, pid: int) -> int | None:
        with self._lock:
            self._read(wait=0.0)
            if pid not in self._exits and self.lost:
                raise ZygoteLost(f"the zygote died; process {pid}'s end is unknown")
            return self._exits.get(pid)

    def _send(self, message: dict[str, Any]) -> None:
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps(message).encode() + b"\n")
            self._proc.stdin.flush()
        except BrokenPipeError:
            self.lost = True

    def _read(self, wait: float) -> None:
        readable, _, _ = select.select([self._answers], [], [], wait)
        if readable:
            with contextlib.suppress(BlockingIOError):
                chunk = os.read(self._answers, 1 << 16)
                self.lost = self.lost or not chunk
                self._pending += chunk
        while b"\n" in self._pending:
            line, self._pending = self._pending.split(b"\n", 1)
            message = json.loads(line)
            if "exited" in message:
                self._exits[message["exited"]] = message["code"]
            else:  # a new child: its pid may be an earlier child's, whose exit is not its own
                self._exits.pop(message["pid"], None)
                self._forked.append(message["pid"])

    def close(self) -> None:
        """Ends the zygote (its stdin closes); children still running are left to their tests."""
        self.lost = True
        if self._proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()


class ForkedProcess:
    """A child of the zygote: its signals and its exit go through the zygote."""

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self._zygote = zygote
        self.pid = pid

    @property
    def returncode(self) -> int | None:
        return self._zygote.exit_code(self.pid)

    def poll(self) -> int | None:
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            self._zygote.signal(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def start(module: str, args: tuple[str, ...], env: dict[str, str], log: Path) -> Process:
    """`python -m module args`, forked from the zygote unless `XKLD_TEST_FORK=0`. Blocking:
    the first call waits for the zygote's imports, so callers in an event loop use a thread."""
    if forking_enabled():
        zygote = Zygote.of_this_worker()
        return ForkedProcess(zygote, zygote.fork(module, args, env, log))
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
