"""Services forked from the test worker's warm zygote behave as `python -m` starts them."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from xkld_shared.testing import forking

STAND_IN = "xkld_shared.testing.echo_stand_in"


def _exit_code(proc: forking.Process, seconds: float = 60.0) -> int:
    deadline = time.monotonic() + seconds
    while (code := proc.poll()) is None:
        assert time.monotonic() < deadline, "the process did not exit"
        time.sleep(0.05)
    return code


def _until_started(log: Path) -> None:
    deadline = time.monotonic() + 60
    while not log.exists() or "echo=" not in log.read_text():
        assert time.monotonic() < deadline, "the process never wrote"
        time.sleep(0.05)


def _started(tmp_path: Path, *args: str) -> tuple[forking.Process, Path]:
    log = tmp_path / "stand-in.log"
    env = {**os.environ, "XKLD_ECHO": "only-this-child"}
    return forking.start(STAND_IN, args, env, log), log


def test_a_forked_process_has_its_own_arguments_environment_log_and_exit_code(
    tmp_path: Path,
) -> None:
    proc, log = _started(tmp_path, "3", "more")
    assert _exit_code(proc) == 3
    assert log.read_text() == "args=['3', 'more'] echo=only-this-child\n"
    assert "XKLD_ECHO" not in os.environ


def test_a_forked_process_is_a_process_of_its_own_that_a_signal_kills(tmp_path: Path) -> None:
    proc, log = _started(tmp_path, "wait")
    try:
        _until_started(log)
        assert proc.pid != os.getpid()
        assert proc.poll() is None
        assert Path(f"/proc/{proc.pid}/comm").read_text() == "echo_stand_in\n", "named in ps"
    finally:
        proc.send_signal(signal.SIGKILL)
    assert _exit_code(proc) == -signal.SIGKILL, "reported as subprocess.Popen reports it"


def test_with_forking_off_a_process_is_started_by_python_dash_m(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XKLD_TEST_FORK", "0")
    proc, log = _started(tmp_path, "wait")
    try:
        _until_started(log)
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        assert cmdline[1:3] == [b"-m", STAND_IN.encode()]
    finally:
        proc.kill()
    assert _exit_code(proc) == -signal.SIGKILL
