"""The test harness's service process: how it waits for readiness."""

from __future__ import annotations

import asyncio

import pytest
from xkld_shared.testing import processes
from xkld_shared.testing.http import local_client
from xkld_shared.testing.processes import START_TIMEOUT_SECONDS, PortTaken, ServiceProcess

STAND_IN = "xkld_shared.testing.ready_stand_in"
_free = processes.free_port


async def test_a_process_that_exits_before_it_is_ready_is_reported_at_once_with_its_log() -> None:
    # No database URL: the service refuses to start. The wait must end on the exit, not on
    # the (long) readiness deadline.
    proc = ServiceProcess("xkld_registration", {"XKLD_DATABASE_URL": ""})
    with pytest.raises(RuntimeError, match="exited with code") as failure:
        await proc.start(timeout=START_TIMEOUT_SECONDS)
    assert "xkld_registration" in str(failure.value)


async def _answering_everything() -> tuple[asyncio.Server, int]:
    """Another process's server on a port: it answers 200 to any request, /ready included."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_a_drawn_port_taken_meanwhile_is_drawn_again_and_only_the_service_counts_as_ready(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    foreign, taken = await _answering_everything()
    draws = iter([taken])
    monkeypatch.setattr(processes, "free_port", lambda: next(draws, None) or _free())
    proc = ServiceProcess(STAND_IN, {})
    try:
        await proc.start(timeout=60)
        assert proc.port != taken
        async with local_client() as client:
            assert (await client.get(f"{proc.url}/pid")).json() == {"pid": proc.pid}
    finally:
        foreign.close()
        assert await proc.terminate() == 0


async def test_a_port_given_by_the_caller_and_taken_is_reported_not_taken_for_ready() -> None:
    foreign, taken = await _answering_everything()
    proc = ServiceProcess(STAND_IN, {}, port=taken)
    try:
        with pytest.raises(PortTaken, match=f"port {taken} was taken"):
            await proc.start(timeout=60)
    finally:
        foreign.close()
        await proc.terminate()  # already gone when the test passes; never left running
