"""The process supervision of scripts/run and scripts/stop (scripts/lib.sh), on real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

LIB = Path(__file__).resolve().parents[2] / "scripts" / "lib.sh"

# A "service" that, like one with HTTP workers, has a child process in its group.
SERVICE = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
time.sleep(600)
"""


def _lib(command: str) -> str:
    done = subprocess.run(
        ["bash", "-c", f"source {LIB}; {command}"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _start(run_dir: Path, name: str) -> int:
    # As scripts/run does: a session of its own, so the pid names the process group.
    (run_dir / "fake_service.py").write_text(SERVICE)
    proc = subprocess.Popen(
        ["setsid", sys.executable, "-m", "fake_service"],
        cwd=run_dir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    (run_dir / f"{name}.pid").write_text(f"{proc.pid}\nfake_service\n")
    for _ in range(600):  # generous: interpreters start slowly on a busy machine
        if len(_group(proc.pid)) == 2:
            return proc.pid
        time.sleep(0.1)
    raise AssertionError("the service and its child did not both start")


def _group(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members


def test_stopping_a_service_ends_its_whole_process_group_and_forgets_its_pid(
    tmp_path: Path,
) -> None:
    pid = _start(tmp_path, "svc")
    assert _lib(f"pid_of {tmp_path} svc") == str(pid)
    _lib(f"stop_service {tmp_path} svc")
    for _ in range(600):
        if not _group(pid):
            break
        time.sleep(0.1)
    assert _group(pid) == [], "a process of the group outlived the stop"
    assert not (tmp_path / "svc.pid").exists()


def test_a_pid_file_naming_another_program_is_not_taken_for_the_service(tmp_path: Path) -> None:
    # A recycled pid: the pid is alive, but it is not the module the file names.
    (tmp_path / "svc.pid").write_text(f"{os.getpid()}\nxkld_registration\n")
    assert _lib(f"pid_of {tmp_path} svc") == ""
    # Must not signal that process's group (this test's own: the test would die of it).
    _lib(f"stop_service {tmp_path} svc")
    assert not (tmp_path / "svc.pid").exists()
