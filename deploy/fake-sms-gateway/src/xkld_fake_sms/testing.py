"""Helpers for test suites that want a real fake gateway on a loopback port.

Usage from another package's tests::

    async with serve_in_background(create_app(Settings())) as base_url:
        ...  # point the real eSMS adapter at base_url
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import uvicorn
from starlette.types import ASGIApp

_STARTUP_TIMEOUT_SECONDS = 10.0


class _QuietServer(uvicorn.Server):
    # uvicorn would replace the process's SIGINT/SIGTERM handlers while serving,
    # which inside a test runner turns Ctrl-C into "stop this one server".
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serve_in_background(app: ASGIApp, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Serve ``app`` in the running loop on a free port; yield its base URL."""
    # Binding port 0 ourselves and handing uvicorn the socket avoids the
    # find-a-free-port-then-race-for-it dance. The explicit IPPROTO_TCP matters:
    # asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP, and
    # without it every response with a body stalls ~40 ms on delayed ACKs.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port: int = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", access_log=False, timeout_graceful_shutdown=2)
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await _wait_started(server, task)
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def _wait_started(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    async with asyncio.timeout(_STARTUP_TIMEOUT_SECONDS):
        while not server.started:
            if task.done():
                task.result()  # surfaces the startup error
                raise RuntimeError("uvicorn exited before it started serving")
            await asyncio.sleep(0.01)


async def wait_until(
    condition: Callable[[], bool | Awaitable[bool]], within: float = 5.0, interval: float = 0.01
) -> None:
    """Poll ``condition`` (sync or async) until true; TimeoutError after ``within`` s.

    Delivery reports are asynchronous, so tests must wait for them rather than
    sleep a guessed amount.
    """
    async with asyncio.timeout(within):
        # Polling is the point: the condition usually lives in another process
        # or behind an HTTP API, where there is no Event to wait on.
        while not await _evaluate(condition):  # noqa: ASYNC110
            await asyncio.sleep(interval)


async def _evaluate(condition: Callable[[], bool | Awaitable[bool]]) -> bool:
    result = condition()
    return await result if inspect.isawaitable(result) else result
