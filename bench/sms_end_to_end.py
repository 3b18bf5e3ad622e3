"""Benchmark: a registration's SMS as the worker feels it, from the commit to the provider.

    uv run python -m bench.sms_end_to_end [--rate 200] [--seconds 60] [--latency-ms 20]
                                          [--baseline-seconds 20]

Registration and notifications run as real processes (as `./scripts/run` starts them) against
the real Kafka and PostgreSQL, with the fake eSMS gateway as its own process. Registrations are
submitted over HTTP at a steady `--rate` per second for `--seconds` (an open loop: each one is
sent on its schedule, whether or not the earlier ones have been answered). Each worker's
latency runs from its registration row's `created_at` (the start of the transaction that
commits it, so the figure is an upper bound) to the gateway's `received_at` for its SMS:
through the outbox, the relay, Kafka, the consumer, the queue and the dispatcher.

The baseline, in the same run: the same gateway, posted to directly at the same rate, timed
from request to answer. That is the floor the pipeline cannot beat. Prints figures; asserts
nothing. Quiet hours are switched off, so the figure does not depend on the time of day.

It also prints the CPU each process spent per SMS, from the first registration sent to the last
SMS at the gateway (read from /proc, start-up left out): registration, notifications, the fake
gateway (which shares the machine), and the whole machine.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import time
import uuid
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import httpx
from xkld_notifications.adapters.esms import SEND_PATH
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.system import System, officer_of, registration_body

from bench._common import load, namespace, print_table
from bench.intake import cpu_by_pid, machine_cpu
from bench.notifications import fake_gateway, percentile

COMMUNE = "29800"
MS = 1000.0


def worker_identity(i: int) -> tuple[str, str]:
    """A distinct CCCD and mobile per registration: random ones would collide at this size."""
    return f"0862000{i:05d}", f"091{i:07d}"


async def open_loop(
    rate: float, seconds: float, send: Callable[[int], Coroutine[Any, Any, None]]
) -> float:
    """Calls `send(i)` at its scheduled moment, `rate` per second; returns the achieved rate."""
    total = int(rate * seconds)
    started = time.perf_counter()
    tasks: list[asyncio.Task[None]] = []
    for i in range(total):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(i)))
    await asyncio.gather(*tasks)
    return total / (time.perf_counter() - started)


def _client() -> aiohttp.ClientSession:
    """The load's client. httpx's pool costs so much CPU at 200 requests/s that the driver,
    not the system, set the pace (86 % of a core, registration idle at 7 %); aiohttp's does not."""
    connector = aiohttp.TCPConnector(limit=200)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60))


async def drive_registrations(
    system: System, rate: float, seconds: float
) -> tuple[float, dict[str, str], int]:
    """Returns (achieved rate, E.164 phone -> registration id, refused count)."""
    url = system.url("registration") + "/registrations"
    headers = officer_of(system.namespace, COMMUNE)
    by_phone: dict[str, str] = {}
    refused = [0]

    async with _client() as client:

        async def send(i: int) -> None:
            cccd, phone = worker_identity(i)
            body = registration_body(cccd=cccd, phone=phone, commune_code=COMMUNE)
            async with client.post(url, json=body, headers=headers) as answer:
                if answer.status != 201:
                    refused[0] += 1
                    return
                by_phone["84" + phone[1:]] = (await answer.json())["registration_id"]

        achieved = await open_loop(rate, seconds, send)
    return achieved, by_phone, refused[0]


async def gateway_received(gateway: str, expected: int, timeout: float) -> dict[str, dt.datetime]:
    """E.164 phone -> when the gateway received its first SMS, once `expected` have arrived."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=60) as client:
        while True:
            stats = (await client.get(f"{gateway}/_admin/stats")).json()
            if stats["recorded_messages"] >= expected or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        messages = (await client.get(f"{gateway}/_admin/messages")).json()["messages"]
    first: dict[str, dt.datetime] = {}
    for message in messages:
        at = dt.datetime.fromisoformat(message["received_at"])
        phone = message["phone_normalized"]
        first[phone] = min(at, first.get(phone, at))
    return first


async def committed_at(ns: Namespace, ids: list[str]) -> dict[str, tuple[dt.datetime, ...]]:
    """Registration id -> (row committed, its event published by the relay, SMS queued)."""
    registration = await asyncpg.connect(ns.dsn("registration"))
    notifications = await asyncpg.connect(ns.dsn("notifications"))
    try:
        rows = await registration.fetch(
            """SELECT r.id, r.created_at, o.event_id, o.published_at
               FROM registration r JOIN outbox o ON o.partition_key = r.id::text
               WHERE r.id = ANY($1::uuid[]) AND o.event_type LIKE 'RegistrationSubmitted%'""",
            ids,
        )
        queued = await notifications.fetch(
            "SELECT event_id, min(created_at) AS at FROM sms_message"
            " WHERE event_id = ANY($1::uuid[]) GROUP BY event_id",
            [r["event_id"] for r in rows],
        )
    finally:
        await registration.close()
        await notifications.close()
    queued_at = {q["event_id"]: q["at"] for q in queued}
    return {
        str(r["id"]): (r["created_at"], r["published_at"], queued_at[r["event_id"]])
        for r in rows
        if r["published_at"] is not None and r["event_id"] in queued_at
    }


async def baseline(gateway: str, rate: float, seconds: float) -> tuple[float, list[float]]:
    """The gateway alone at the same rate: (achieved rate, request-to-answer seconds)."""
    latencies: list[float] = []
    async with _client() as client:

        async def send(i: int) -> None:
            body = {
                "ApiKey": "test-api-key",
                "SecretKey": "test-secret-key",
                "Content": "XKLD: Ho so dang ky cua ban da duoc tiep nhan.",
                "Phone": f"098{i:07d}",
                "Brandname": "XKLD",
                "SmsType": "2",
                "IsUnicode": "0",
                "Sandbox": "0",
                "RequestId": str(uuid.uuid4()),
            }
            started = time.perf_counter()
            async with client.post(gateway + SEND_PATH, json=body) as answer:
                answer.raise_for_status()
            latencies.append(time.perf_counter() - started)

        achieved = await open_loop(rate, seconds, send)
    return achieved, latencies


async def bench(rate: float, seconds: float, latency_ms: int, baseline_seconds: float) -> None:
    async with namespace() as ns, fake_gateway(latency_ms) as gateway:
        base_rate, base_latencies = await baseline(gateway, rate, baseline_seconds)
        async with httpx.AsyncClient() as client:
            (await client.delete(f"{gateway}/_admin/messages")).raise_for_status()
        system = System(ns, gateway)
        await system.start(["registration"])
        await system.start(["notifications"], XKLD_SMS_QUIET_HOURS_ENABLED="false")
        pids = {name: proc.pid for name, proc in system.processes.items()}
        pids["fake gateway"] = _child_running("xkld_fake_sms")
        try:
            print(f"driving {int(rate * seconds):,} registrations; {load()}")
            before = _cpu(pids)
            achieved, by_phone, refused = await drive_registrations(system, rate, seconds)
            received = await gateway_received(gateway, len(by_phone), timeout=120)
            spent = {name: cpu - before[name] for name, cpu in _cpu(pids).items()}
            commits = await committed_at(ns, list(by_phone.values()))
        finally:
            await system.stop_all()
    stages = [
        (commits[rid][0], commits[rid][1], commits[rid][2], received[phone])
        for phone, rid in by_phone.items()
        if phone in received and rid in commits
    ]
    _report(rate, seconds, latency_ms, (base_rate, base_latencies), achieved, stages, refused)
    n = max(1, len(received))
    per_sms = ", ".join(f"{name} {cpu / n * MS:.1f} ms" for name, cpu in spent.items())
    print(f"CPU per SMS at the gateway ({len(received):,}): {per_sms}")


def _child_running(module: str) -> int:
    """The pid of this process's child that runs `module` (the fake gateway)."""
    me = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    for pid in me:
        if module in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
            return int(pid)
    raise RuntimeError(f"no child process runs {module}")


def _cpu(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process, and of the whole machine."""
    found = cpu_by_pid(list(pids.values()))
    return {name: found.get(pid, 0.0) for name, pid in pids.items()} | {"machine": machine_cpu()}


def _spans(stages: Sequence[tuple[dt.datetime, ...]], start: int, end: int) -> list[float]:
    return [(s[end] - s[start]).total_seconds() for s in stages]


def _report(
    rate: float,
    seconds: float,
    latency_ms: int,
    base: tuple[float, list[float]],
    achieved: float,
    stages: Sequence[tuple[dt.datetime, ...]],
    refused: int,
) -> None:
    def row(path: str, per_second: str, values: list[float], count: str) -> list[str]:
        quantiles = [f"{percentile(values, q) * MS:.1f}" for q in (50, 95, 99)]
        return [path, per_second, *quantiles, f"{max(values, default=0) * MS:.1f}", count]

    count = f"{len(stages):,} SMS ({refused} refused)"
    print_table(
        f"{rate:.0f}/s for {seconds:.0f} s, gateway latency {latency_ms} ms; {load()}",
        ["path", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms", "count"],
        [
            row("gateway alone, request to answer (baseline)", f"{base[0]:,.0f}", base[1], ""),
            row(
                "registration commit -> SMS at the gateway",
                f"{achieved:,.0f}",
                _spans(stages, 0, 3),
                count,
            ),
            # Where the time goes. The relay marks a batch published after Kafka has it, so a
            # fast consumer can queue the SMS before that mark: the middle span can be < 0.
            row("  commit -> relay marked it published", "", _spans(stages, 0, 1), ""),
            row("  published -> SMS queued by the consumer", "", _spans(stages, 1, 2), ""),
            row("  queued -> SMS at the gateway", "", _spans(stages, 2, 3), ""),
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=200.0, help="registrations/s (200)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long (60)")
    parser.add_argument("--latency-ms", type=int, default=20, help="gateway latency (20)")
    parser.add_argument("--baseline-seconds", type=float, default=20.0, help="baseline (20)")
    args = parser.parse_args()
    asyncio.run(bench(args.rate, args.seconds, args.latency_ms, args.baseline_seconds))


if __name__ == "__main__":
    main()
