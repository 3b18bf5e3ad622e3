"""The service as several worker processes on one port (XKLD_HTTP_WORKERS)."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import asyncpg
import httpx
from xkld_shared.identity.principal import Role
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess
from xkld_shared.testing.system import registration_body

MODULE = "xkld_registration"


def connections_on(pid: int, port: int) -> int:
    """Established TCP connections to `port` held by process `pid` (Linux /proc)."""
    inodes = set()
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
            inodes.add(f"socket:[{fields[9]}]")
    return sum(1 for fd in Path(f"/proc/{pid}/fd").iterdir() if _link(fd) in inodes)


def _link(fd: Path) -> str:
    try:
        return os.readlink(fd)
    except FileNotFoundError:  # closed meanwhile
        return ""


async def test_two_workers_share_the_connections_and_drain_cleanly(namespace: Namespace) -> None:
    service = ServiceProcess(MODULE, namespace.env("registration", XKLD_HTTP_WORKERS="2"))
    await service.start()
    try:
        workers = service.worker_pids()
        assert len(workers) == 2
        headers = namespace.auth(Role.COMMUNE_OFFICER, communes=("29800",))
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
        async with local_client(base_url=service.url, limits=limits) as client:
            answers = await asyncio.gather(
                *(
                    client.post("/registrations", json=registration_body(), headers=headers)
                    for _ in range(32)
                )
            )
            assert [a.status_code for a in answers] == [201] * 32
            # Connections still open: the kernel spread them over both workers' sockets.
            held = {pid: connections_on(pid, service.port) for pid in workers}
        assert all(n > 0 for n in held.values()), held
    finally:
        code = await service.terminate()
    assert code == 0, service.logs()[-3000:]
    assert not any(running(pid) for pid in workers)


async def test_the_same_person_sent_to_both_workers_at_once_gets_one_file(
    namespace: Namespace,
) -> None:
    """Across processes no batch sees both copies: the unique index decides, and the loser's
    batch is written again file by file, so the others in it still go in."""
    service = ServiceProcess(MODULE, namespace.env("registration", XKLD_HTTP_WORKERS="2"))
    await service.start()
    person = registration_body(commune_code="29800")
    bodies = [person] * 12 + [registration_body() for _ in range(12)]
    headers = namespace.auth(Role.COMMUNE_OFFICER, communes=("29800",))
    limits = httpx.Limits(max_connections=24)
    try:
        async with local_client(base_url=service.url, limits=limits) as client:
            answers = await asyncio.gather(
                *(client.post("/registrations", json=b, headers=headers) for b in bodies)
            )
    finally:
        assert await service.terminate() == 0
    codes = [a.status_code for a in answers]
    assert sorted(codes[:12]) == [201] + [409] * 11
    assert codes[12:] == [201] * 12
    conn = await asyncpg.connect(namespace.dsn("registration"))
    try:
        assert await conn.fetchval("SELECT count(*) FROM registration") == 13
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 13
    finally:
        await conn.close()


async def test_a_worker_that_dies_stops_the_service_with_a_failure(namespace: Namespace) -> None:
    service = ServiceProcess(MODULE, namespace.env("registration", XKLD_HTTP_WORKERS="2"))
    await service.start()
    survivor, victim = service.worker_pids()
    os.kill(victim, signal.SIGKILL)
    # The survivor drains gracefully first, which takes longer than 10 s on a busy machine;
    # signalling the parent meanwhile would test the signal, not the death of a worker.
    try:
        code = await service.exited()
    finally:
        await service.kill()
    assert code == 1, service.logs()[-3000:]
    assert not running(survivor)


async def test_workers_stop_when_the_parent_is_killed(namespace: Namespace) -> None:
    """Orphans would keep the port (SO_REUSEPORT) beside a restarted service's new workers."""
    service = ServiceProcess(MODULE, namespace.env("registration", XKLD_HTTP_WORKERS="2"))
    await service.start()
    workers = service.worker_pids()
    await service.kill()
    for _ in range(300):
        if not any(running(pid) for pid in workers):
            break
        await asyncio.sleep(0.1)
    assert not any(running(pid) for pid in workers)


def running(pid: int) -> bool:
    """Alive and not a zombie (one that has exited but not yet been reaped by its parent)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
