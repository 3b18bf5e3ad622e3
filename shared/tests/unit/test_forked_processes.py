"""Services forked from the test worker's warm zygote behave as `python -m` starts them."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from xkld_shared.testing import forking

STAND_IN = "xkld_shared.testing.echo_stand_in"


@pytest.fixture
def own_zygote(monkeypatch: pytest.MonkeyPatch) -> Iterator[forking.Zygote]:
    """A zygote of the test's own, started with `XKLD_ECHO` in its environment."""
    monkeypatch.setenv("XKLD_ECHO", "the-zygote's")
    zygote = forking.Zygote()
    yield zygote
    zygote.close()


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


def _waiting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, forked: bool) -> forking.Process:
    """A stand-in started (forked or by `python -m`) that waits for a signal."""
    monkeypatch.setenv("XKLD_TEST_FORK", "1" if forked else "0")
    proc, log = _started(tmp_path, "wait")
    try:
        _until_started(log)
    except BaseException:
        proc.kill()
        raise
    return proc


def test_a_forked_process_has_its_own_arguments_environment_log_and_exit_code(
    tmp_path: Path,
) -> None:
    proc, log = _started(tmp_path, "3", "more")
    assert _exit_code(proc) == 3
    assert log.read_text() == "args=['3', 'more'] echo=only-this-child\n"


def test_a_child_sees_only_the_environment_it_was_given_not_the_zygotes(
    tmp_path: Path, own_zygote: forking.Zygote
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "XKLD_ECHO"}
    log = tmp_path / "stand-in.log"
    proc = forking.ForkedProcess(own_zygote, own_zygote.fork(STAND_IN, ("0",), env, log))
    assert _exit_code(proc) == 0
    assert log.read_text() == "args=['0'] echo=None\n"


def test_a_forked_process_is_a_process_of_its_own_that_a_signal_kills(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proc = _waiting(tmp_path, monkeypatch, forked=True)
    try:
        assert proc.pid != os.getpid()
        assert proc.poll() is None
        assert Path(f"/proc/{proc.pid}/comm").read_text() == "echo_stand_in\n", "named in ps"
    finally:
        proc.send_signal(signal.SIGKILL)
    assert _exit_code(proc) == -signal.SIGKILL, "reported as subprocess.Popen reports it"


def test_the_zygote_signals_only_its_own_children_not_yet_reaped(
    tmp_path: Path, own_zygote: forking.Zygote
) -> None:
    stranger = subprocess.Popen(["sleep", "60"])
    try:
        own_zygote.signal(stranger.pid, signal.SIGKILL)
        # Requests are handled in order: once this fork is answered, the signal was handled.
        own_zygote.fork(STAND_IN, ("0",), dict(os.environ), tmp_path / "stand-in.log")
        time.sleep(0.2)
        assert stranger.poll() is None, "a process that is not its child was signalled"
    finally:
        stranger.kill()
        stranger.wait()


def test_a_child_given_an_earlier_childs_pid_does_not_inherit_its_exit(
    own_zygote: forking.Zygote,
) -> None:
    # Pids wrap around in a long run; the zygote's messages are read in order.
    own_zygote._pending = b'{"exited": 4242, "code": 1}\n{"pid": 4242}\n'
    own_zygote._read(wait=0.0)
    assert own_zygote.exit_code(4242) is None


def test_when_the_zygote_dies_its_childrens_ends_are_reported_unknown_loudly(
    tmp_path: Path, own_zygote: forking.Zygote
) -> None:
    log = tmp_path / "stand-in.log"
    pid = own_zygote.fork(STAND_IN, ("wait",), dict(os.environ), log)
    proc = forking.ForkedProcess(own_zygote, pid)
    try:
        _until_started(log)
        own_zygote._proc.kill()
        own_zygote._proc.wait()
        with pytest.raises(forking.ZygoteLost):
            _exit_code(proc)
    finally:
        os.kill(pid, signal.SIGKILL)  # now init's child: nobody else will end it


def test_with_forking_off_a_process_is_started_by_python_dash_m(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proc = _waiting(tmp_path, monkeypatch, forked=False)
    try:
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        assert cmdline[1:3] == [b"-m", STAND_IN.encode()]
    finally:
        proc.kill()
    assert _exit_code(proc) == -signal.SIGKILL
