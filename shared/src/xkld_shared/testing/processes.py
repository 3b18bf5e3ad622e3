"""Running a service as a real OS process, so tests can SIGTERM it or kill -9 it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from xkld_shared.testing import forking
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace, Templates, TestInfra

# How long a service may take to become ready. Start-up is mostly migrations checks and
# consumer-group joins (and, for a worker's first start or with XKLD_TEST_FORK=0, imports), which
# stretch to a minute or more when 4 test workers share 2 busy cores;
# a process that exits is reported at once, so a generous bound costs nothing when things fail.
START_TIMEOUT_SECONDS = float(os.environ.get("XKLD_TEST_START_TIMEOUT", "120"))


# How often a service whose drawn port was taken meanwhile is started again on a new one.
_PORT_DRAWS = 3
_ADDRESS_IN_USE = b"address already in use"


class PortTaken(RuntimeError):
    """The service could not bind its port: another process holds it."""


# Below Linux's ephemeral range (32768-60999 by default), from which the kernel also draws the
# local port of every outgoing connection: a port from bind(0) comes from that range, so under
# load a connection can take it before the service binds it (the scale-out test once found a
# replica's port taken).
_PORTS = range(10_000, 32_768)
# The OS's randomness: the `random` module's state is shared, and tests may seed it (Hypothesis
# does), which would make two test workers draw the same ports.
_DRAW = random.SystemRandom()


def free_port() -> int:
    """A port nothing holds now, outside the range the kernel hands out by itself."""
    for _ in range(200):
        port = _DRAW.choice(_PORTS)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port between {_PORTS.start} and {_PORTS.stop - 1}")


def listens(pid: int, port: int) -> bool:
    """Whether process `pid` holds a socket listening on TCP `port` (Linux /proc)."""
    inodes = set()
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(f"socket:[{fields[9]}]")
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(FileNotFoundError):  # closed meanwhile
            if os.readlink(fd) in inodes:
                return True
    return False


class ServiceProcess:
    def __init__(
        self,
        module: str,
        env: dict[str, str],
        *,
        args: tuple[str, ...] = (),
        port: int | None = None,
    ) -> None:
        self.module = module
        # A port of our choosing may be drawn again, until the service has once been ready on
        # it (a restart keeps its port: callers hold its URL). See `start`.
        self._may_redraw = port is None
        self.port = port or free_port()
        self._env = {**os.environ, **env, "XKLD_HTTP_PORT": str(self.port), "XKLD_LOG_JSON": "1"}
        self._args = args
        self._log = Path(tempfile.mkstemp(prefix=f"{module}-", suffix=".log")[1])
        self._proc: forking.Process | None = None
        self._log_start = 0

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError(f"{self.module} has not been started")
        return self._proc.pid

    @property
    def running(self) -> bool:
        """Started and not exited (a replica that was stopped or crashed is not)."""
        return self._proc is not None and self._proc.poll() is None

    def worker_pids(self) -> list[int]:
        """The worker processes of a service started with XKLD_HTTP_WORKERS > 1 (Linux)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        # multiprocessing also starts a resource tracker; workers are the spawned ones.
        return [
            int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()
        ]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(
        self, *, ready_path: str = "/ready", timeout: float = START_TIMEOUT_SECONDS
    ) -> None:
        """Until the service answers `ready_path` itself. `free_port` lets its port go before the
        service binds it, so another test's process can take the same port meanwhile. Then
        this one cannot bind and exits, and a port of our choosing is drawn again."""
        for draw in range(_PORT_DRAWS):
            await self._spawn()
            try:
                await self._wait_ready(ready_path, timeout)
                break
            except PortTaken:
                if not self._may_redraw or draw == _PORT_DRAWS - 1:
                    raise
                self.port = free_port()
                self._env["XKLD_HTTP_PORT"] = str(self.port)
        self._may_redraw = False
        workers = int(self._env.get("XKLD_HTTP_WORKERS", "1"))
        if workers > 1:
            await self._wait_listening(workers, timeout)

    async def _spawn(self) -> None:
        self._log_start = self._log.stat().st_size  # what an earlier start wrote is not read
        # In a thread: the first start waits for the zygote's imports, and the event loop
        # meanwhile serves the tests' in-process servers.
        self._proc = await asyncio.to_thread(
            forking.start, self.module, self._args, self._env, self._log
        )

    def _answered_by_us(self) -> bool:
        """Whether this process (or one of its workers) listens on the port: a ready answer
        from a process that took the port first is not this service's."""
        workers = int(self._env.get("XKLD_HTTP_WORKERS", "1"))
        try:
            pids = [self.pid] if workers == 1 else self.worker_pids()
            return any(listens(pid, self.port) for pid in pids)
        except OSError:  # it exited meanwhile: the next look reports that
            return False

    async def _wait_listening(self, workers: int, timeout: float) -> None:
        """Until every worker listens: a worker listens only once it has started, and until
        then the kernel hands all new connections to the others."""
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            self._raise_if_exited()
            pids = self.worker_pids()
            if len(pids) == workers and all(listens(pid, self.port) for pid in pids):
                return
            await asyncio.sleep(0.2)
        raise TimeoutError(f"{self.module}: not all {workers} workers listen:\n{self.logs()}")

    async def _wait_ready(self, path: str, timeout: float) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        async with local_client() as client:
            while asyncio.get_running_loop().time() < deadline:
                self._raise_if_exited()
                try:
                    # A loaded machine can take seconds to answer even a ready service.
                    answer = await client.get(self.url + path, timeout=5.0)
                    if answer.status_code == 200 and self._answered_by_us():
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise TimeoutError(f"{self.module} not ready in {timeout}s:\n{self.logs()[-4000:]}")

    def _raise_if_exited(self) -> None:
        if self._proc is not None and self._proc.poll() is not None:
            if _ADDRESS_IN_USE in self._log.read_bytes()[self._log_start :].lower():
                raise PortTaken(f"{self.module}: port {self.port} was taken by another process")
            raise RuntimeError(
                f"{self.module} exited with code {self._proc.returncode} before it was ready:\n"
                f"{self.logs()[-4000:]}"
            )

    async def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM and wait: the graceful drain path."""
        return await self._signal(signal.SIGTERM, timeout)

    async def exited(self, timeout: float = START_TIMEOUT_SECONDS) -> int:
        """Waits, without signalling, for the process to stop on its own; its exit code."""
        proc = self._proc
        if proc is None:
            raise RuntimeError(f"{self.module} has not been started")
        deadline = asyncio.get_running_loop().time() + timeout
        while (code := proc.poll()) is None:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{self.module} did not stop on its own in {timeout:.0f} s")
            await asyncio.sleep(0.1)
        return code

    async def kill(self) -> int:
        """SIGKILL: a crash, with no chance to commit or clean up."""
        return await self._signal(signal.SIGKILL, 10.0)

    async def _signal(self, sig: signal.Signals, timeout: float) -> int:
        proc = self._proc
        if proc is None:
            return 0
        if (code := proc.poll()) is not None:
            return code
        proc.send_signal(sig)
        deadline = asyncio.get_running_loop().time() + timeout
        while (code := proc.poll()) is None:
            if asyncio.get_running_loop().time() > deadline:
                proc.kill()
                raise TimeoutError(f"{self.module} did not stop after {sig.name}")
            await asyncio.sleep(0.1)
        return code

    def logs(self) -> str:
        return self._log.read_text(errors="replace")


@contextlib.asynccontextmanager
async def serving(module: str, env: dict[str, str]) -> AsyncIterator[ServiceProcess]:
    """A service process for the length of a block; it must drain cleanly (exit 0) at the end."""
    proc = ServiceProcess(module, env)
    await proc.start()
    try:
        yield proc
    finally:
        code = await proc.terminate()
        assert code == 0, f"{module} did not drain cleanly (exit {code})"


@contextlib.asynccontextmanager
async def serving_alone(
    infra: TestInfra, templates: Templates, service: str
) -> AsyncIterator[tuple[str, Namespace]]:
    """One service in a namespace of its own, for a module of tests to share: the URL and the
    namespace, dropped after the service has drained."""
    namespace = await Namespace.create(infra, templates)
    try:
        async with serving(f"xkld_{service}", namespace.env(service)) as proc:
            yield proc.url, namespace
    finally:
        await namespace.drop()
