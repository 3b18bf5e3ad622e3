"""Benchmark: SMS from event to provider request, against a raw httpx loop, same run.

    uv run python -m bench.notifications [--n 2000] [--latency-ms 20] [--batch-size 50]

The fake gateway runs as its own process (a real HTTP server) and answers every send after
`--latency-ms`. The pipeline: N RegistrationSubmitted events go through the notifications
handler, one transaction each, as the Kafka consumer would call it (Kafka itself is measured by
bench/consumer_ingest.py); the real dispatcher, woken by LISTEN/NOTIFY, claims them from the
queue table and sends them with the eSMS adapter. Its latency is per message, from the handler's
clock reading to the recorded send (created_at -> sent_at). The baseline posts the same JSON
bodies (fresh RequestIds, so the gateway's deduplication does not shortcut them) with one httpx
client, at most `--batch-size` in flight, which is the dispatcher's concurrency. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace

import asyncpg
import httpx
from pydantic import SecretStr
from xkld_notifications.adapters.esms import SEND_PATH, EsmsConfig, EsmsProvider
from xkld_notifications.adapters.http_post import JsonPoster
from xkld_notifications.adapters.phones import SealedPhoneOpener
from xkld_notifications.application.dispatcher import DispatchPolicy, SmsDispatcher
from xkld_notifications.bootstrap import sms_stores
from xkld_notifications.domain.breaker import CircuitBreaker
from xkld_notifications.domain.rules import QuietHours, load_rules
from xkld_shared.contracts.envelope import new_envelope
from xkld_shared.contracts.registration import PHONE_PURPOSE, RegistrationSubmitted
from xkld_shared.db.pool import create_pool
from xkld_shared.db.wakeup import PgWakeup
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import free_port
from xkld_testkit.notifications_testing import Kit, WallClock, cipher, e164

from bench._common import namespace, print_table, rate

# Any hour of the day: the benchmark measures sending, not waiting for 07:00.
_ALWAYS_OPEN = QuietHours(start=dt.time(0), end=dt.time(0))


@contextlib.asynccontextmanager
async def fake_gateway(latency_ms: int) -> AsyncIterator[str]:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "xkld_fake_sms", "--port", str(port), "--log-level", "warning"),
        stdout=asyncio.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(100):
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{url}/health")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            faults = {"latency_ms": latency_ms}
            (await client.put(f"{url}/_admin/faults", json=faults)).raise_for_status()
        yield url
    finally:
        proc.terminate()
        await proc.wait()


def phones(n: int) -> list[str]:
    return [f"091{i:07d}" for i in range(n)]


def percentile(values: Sequence[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else 0


async def raw_loop(url: str, n: int, concurrency: int) -> tuple[float, list[float]]:
    """The same eSMS request bodies, straight from httpx; returns (seconds, latencies)."""
    limit = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one(client: httpx.AsyncClient, phone: str) -> None:
        body = {
            "ApiKey": "test-api-key",
            "SecretKey": "test-secret-key",
            "Content": "XKLD: Ho so dang ky cua ban da duoc tiep nhan.",
            "Phone": phone,
            "Brandname": "XKLD",
            "SmsType": "2",
            "IsUnicode": "0",
            "Sandbox": "0",
            "RequestId": str(uuid.uuid4()),
        }
        async with limit:
            started = time.perf_counter()
            answer = await client.post(url + SEND_PATH, json=body, timeout=10)
            latencies.append(time.perf_counter() - started)
            answer.raise_for_status()

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency)) as client:
        await asyncio.gather(*(one(client, "0981" + p[4:]) for p in phones(min(n, 50))))  # warm
        latencies.clear()
        started = time.perf_counter()
        await asyncio.gather(*(one(client, p) for p in phones(n)))
        return time.perf_counter() - started, latencies


async def pipeline(
    ns: Namespace, url: str, n: int, batch_size: int
) -> tuple[float, list[float], int]:
    """Events through the handler, sent by the dispatcher; returns (seconds, latencies, sent)."""
    pool = await create_pool(ns.dsn("notifications"), max_size=12)
    kit = Kit(pool, ns, url, WallClock(), replace(load_rules(), quiet_hours=_ALWAYS_OPEN))
    sealed = cipher(ns)
    events = []
    for phone in phones(n):
        payload = RegistrationSubmitted(
            commune_code="29800",
            gender="male",
            birth_year=2000,
            submitted_on=dt.date(2026, 11, 26),
            phone_ciphertext=sealed.encrypt(e164(phone), purpose=PHONE_PURPOSE),
            sms_consent=True,
        )
        events.append((new_envelope(payload, registration_id=uuid.uuid4(), producer="b"), payload))
    async with JsonPoster() as client:
        config = EsmsConfig(
            base_url=url,
            api_key=SecretStr("test-api-key"),
            secret_key=SecretStr("test-secret-key"),
            brandname="XKLD",
        )
        dispatcher = SmsDispatcher(
            pool,
            sms_stores(),
            EsmsProvider(config, client),
            SealedPhoneOpener(sealed),
            DispatchPolicy(
                batch_size=batch_size, daily_limit=10, quiet_hours=_ALWAYS_OPEN, poll_seconds=0.5
            ),
            PgWakeup(ns.dsn("notifications"), "sms_message"),
            kit.events,
            breaker=CircuitBreaker(),
        )
        stop = asyncio.Event()
        worker = asyncio.create_task(dispatcher.run(stop))
        started = time.perf_counter()
        for envelope, payload in events:
            await kit.deliver(envelope, payload)
        while True:
            if await _unsent(pool) == 0:
                break
            await asyncio.sleep(0.01)
        seconds = time.perf_counter() - started
        stop.set()
        await worker
    rows = await pool.fetch(
        "SELECT extract(epoch FROM sent_at - created_at) AS s FROM sms_message "
        "WHERE status = 'sent'"
    )
    await pool.close()
    return seconds, [float(r["s"]) for r in rows], len(rows)


async def _unsent(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM sms_message WHERE status = 'pending'"))


async def bench(n: int, latency_ms: int, batch_size: int) -> None:
    async with namespace() as ns, fake_gateway(latency_ms) as url:
        raw_seconds, raw_latencies = await raw_loop(url, n, batch_size)
        async with httpx.AsyncClient() as client:
            await client.delete(f"{url}/_admin/messages")
        seconds, latencies, sent = await pipeline(ns, url, n, batch_size)
    ms = 1000.0
    print_table(
        f"{n:,} SMS, gateway latency {latency_ms} ms, {batch_size} in flight at most",
        ["path", "msgs/s", "p50 ms", "p99 ms", "sent"],
        [
            [
                "raw httpx loop (baseline)",
                rate(n, raw_seconds),
                f"{percentile(raw_latencies, 50) * ms:.1f}",
                f"{percentile(raw_latencies, 99) * ms:.1f}",
                f"{n:,}",
            ],
            [
                "event -> handler -> queue -> dispatcher -> provider",
                rate(sent, seconds),
                f"{percentile(latencies, 50) * ms:.1f}",
                f"{percentile(latencies, 99) * ms:.1f}",
                f"{sent:,}",
            ],
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=2000, help="messages (default 2000)")
    parser.add_argument("--latency-ms", type=int, default=20, help="gateway latency (20)")
    parser.add_argument("--batch-size", type=int, default=50, help="dispatcher batch (50)")
    args = parser.parse_args()
    asyncio.run(bench(args.n, args.latency_ms, args.batch_size))


if __name__ == "__main__":
    main()
