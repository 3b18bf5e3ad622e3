"""Serving the HTTP app: one process, or several worker processes on the same port.

Python runs one core per process, so a busy service runs several workers. Each worker binds
its own listening socket with SO_REUSEPORT, and the kernel spreads new connections across
them. (With one shared socket, as uvicorn's own supervisor does it, whichever worker is awake
accepts most connections, and a client that keeps its connections open loads one worker.)
Each worker builds the app from its factory's import path, so nothing crosses a process
boundary, and runs the whole service, relay and consumers included, as a replica would.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import socket
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess

import uvicorn

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@dataclass(frozen=True)
class Listen:
    host: str
    port: int
    graceful_seconds: int


class DrainingServer(uvicorn.Server):
    """Exits 0 once SIGTERM/SIGINT has drained the service.

    uvicorn re-raises the signal after its graceful shutdown, so a completed drain would look
    exactly like a kill to supervisors and tests; a drain that did not complete still fails.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()


def serve_workers(factory_path: str, listen: Listen, workers: int) -> None:
    """Runs `workers` processes until SIGTERM/SIGINT, then stops each gracefully.

    A worker that exits on its own stops the others, and the whole exits 1: restarting is left
    to whatever supervises the service (systemd, the orchestrator), which also sees the cause.
    """
    if listen.port == 0:
        raise SystemExit("XKLD_HTTP_PORT must name a port when XKLD_HTTP_WORKERS > 1")
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    spawn = multiprocessing.get_context("spawn")
    procs = [
        spawn.Process(
            target=_worker, args=(factory_path, listen, os.getpid()), name=f"http-worker-{i}"
        )
        for i in range(workers)
    ]
    for proc in procs:
        proc.start()
    while not stop.wait(0.5):
        if any(not p.is_alive() for p in procs):
            break
    died = not stop.is_set()
    # A worker's drain has phases of up to `graceful_seconds` each (connections, consumers and
    # relay, closers): give it all of them before killing it.
    _stop_all(procs, 3 * listen.graceful_seconds + 5)
    sys.exit(1 if died or any(p.exitcode != 0 for p in procs) else 0)


def _die_with(parent: int) -> None:
    """SIGTERM this worker when its parent dies, however it dies (SIGKILL, the OOM killer).

    Orphaned workers would keep serving on the port, and with SO_REUSEPORT a restarted
    service binds it without error: old and new code would share the traffic unseen."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the parent died before the request took effect
        raise SystemExit(1)


def _stop_all(procs: Sequence[BaseProcess], timeout: float) -> None:
    for proc in procs:
        if proc.is_alive() and proc.pid is not None:
            os.kill(proc.pid, signal.SIGTERM)
    for proc in procs:
        proc.join(timeout)
        if proc.is_alive():
            proc.kill()
            proc.join()


def _worker(factory_path: str, listen: Listen, parent: int) -> None:
    _die_with(parent)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    # Bound but not listening: uvicorn listens once the app has started, so the kernel sends
    # no connection to a worker that is still starting (or to one that is draining).
    sock.bind((listen.host, listen.port))
    config = uvicorn.Config(
        factory_path,
        factory=True,
        log_config=None,  # our JSON logging, configured by the app factory
        timeout_graceful_shutdown=listen.graceful_seconds,
    )
    DrainingServer(config).run(sockets=[sock])
