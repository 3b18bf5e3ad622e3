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
from pathlib import Path
from typing import Protocol

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


def forking_enabled() -> bool:
    return os.environ.get("XKLD_TEST_FORK", "1") != "0"


class Zygote:
    """This test worker's zygote, started on first use and ended with the worker."""

    _current: Zygote | None = None

    @classmethod
    def of_this_worker(cls) -> Zygote:
        if cls._current is None or cls._current._proc.poll() is not None:
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
        self._pending = b""
        self._exits: dict[int, int] = {}

    def fork(self, module: str, args: tuple[str, ...], env: dict[str, str], log: Path) -> int:
        request = {"module": module, "args": list(args), "env": env, "log": str(log)}
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(request).encode() + b"\n")
        self._proc.stdin.flush()
        deadline = _ANSWER_SECONDS
        while deadline > 0:
            for message in self._read(wait=1.0):
                if "pid" in message:
                    return message["pid"]
            if self._proc.poll() is not None:
                break
            deadline -= 1.0
        raise RuntimeError(f"the zygote did not fork {module}:\n{self._log.read_text()[-4000:]}")

    def exit_code(self, pid: int) -> int | None:
        for _ in self._read(wait=0.0):
            pass
        return self._exits.get(pid)

    def _read(self, wait: float) -> list[dict[str, int]]:
        readable, _, _ = select.select([self._answers], [], [], wait)
        if readable:
            with contextlib.suppress(BlockingIOError):
                self._pending += os.read(self._answers, 1 << 16)
        messages = []
        while b"\n" in self._pending:
            line, self._pending = self._pending.split(b"\n", 1)
            message = json.loads(line)
            if "exited" in message:
                self._exits[message["exited"]] = message["code"]
            else:
                messages.append(message)
        return messages

    def close(self) -> None:
        """Ends the zygote (its stdin closes); children still running are left to their tests."""
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()


class ForkedProcess:
    """A child of the zygote: signalled directly, its exit reported by the zygote."""

    def __init__(self, zygote: Zygote, pid: int) -> None:
        self._zygote = zygote
        self.pid = pid

    @property
    def returncode(self) -> int | None:
        return self._zygote.exit_code(self.pid)

    def poll(self) -> int | None:
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:  # an exited pid may already be another process's
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def start(module: str, args: tuple[str, ...], env: dict[str, str], log: Path) -> Process:
    """`python -m module args`, forked from the zygote unless `XKLD_TEST_FORK=0`."""
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
