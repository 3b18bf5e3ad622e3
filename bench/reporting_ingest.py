"""Benchmark: the reporting projections ingesting all three streams, against raw consume + COPY.

    uv run python -m bench.reporting_ingest [--n 100000] [--batch-size 5000]

Simulated journeys (registration, loan and notification events, each registration's events in
order) are produced to the namespace's three topics (not timed). Then, in the same run:

- baseline: one bare AIOKafkaConsumer reads the three topics from the start and COPYs every
  record (event id, type, registration id, time, payload as text) into an unlogged table, one
  COPY per fetched batch: the least a projection could do and still store every event;
- measured: the reporting service's own consumers (ServiceRuntime + ProjectionApplier, one
  transaction per batch, inbox, ordered projection of all read models), timed until the
  projection has applied every event.

Prints figures; asserts nothing except that the projection applied exactly N events.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import time

import asyncpg
from aiokafka import AIOKafkaConsumer
from pydantic import SecretStr
from xkld_reporting.application.consumer import add_projection_consumer
from xkld_reporting.bootstrap import projector
from xkld_reporting.heap import settle_heap
from xkld_reporting.settings import ReportingSettings
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.contracts.topics import Stream
from xkld_shared.runtime import ServiceRuntime
from xkld_shared.settings import ServiceSettings
from xkld_shared.testing.infra import Namespace
from xkld_testkit.reporting_simulation import Simulator
from xkld_testkit.reporting_testing import publish_all, streams_of

from bench._common import load, namespace, print_table, rate

COMMUNES = {"29800": "29791", "29788": "29794", "29641": "29629", "29771": "29770"}


def simulate(n: int) -> dict[Stream, list[Envelope]]:
    """Journeys until there are about `n` events (roughly 10 events per registration)."""
    started = time.perf_counter()
    sim = Simulator(2026, COMMUNES, dt.date(2024, 1, 1), 900)
    journeys = sim.journeys(max(n // 10, 1))
    streams = streams_of(journeys)
    total = sum(len(e) for e in streams.values())
    print(
        f"{total:,} events from {len(journeys):,} journeys, built in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return streams


async def raw_copy(ns: Namespace, total: int, batch_size: int, timeout: float) -> float:
    conn = await asyncpg.connect(ns.dsn("reporting"))
    await conn.execute(
        """CREATE UNLOGGED TABLE bench_raw_event (event_id uuid, event_type text,
           registration_id uuid, occurred_at timestamptz, payload text)"""
    )
    consumer = AIOKafkaConsumer(
        *(ns.topics.of(s) for s in Stream),
        bootstrap_servers=ns.infra.kafka_bootstrap,
        group_id=ns.prefix + "bench-raw",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=batch_size,
    )
    started = time.perf_counter()
    seen = 0
    await consumer.start()
    try:
        while seen < total:
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"raw read {seen}/{total}")
            for records in (await consumer.getmany(timeout_ms=500)).values():
                rows = []
                for record in records:
                    env = Envelope.from_bytes(record.value or b"")
                    rows.append(
                        (
                            env.event_id,
                            env.event_type,
                            env.registration_id,
                            env.occurred_at,
                            str(env.payload),
                        )
                    )
                await conn.copy_records_to_table("bench_raw_event", records=rows)
                seen += len(records)
        return time.perf_counter() - started
    finally:
        await consumer.stop()
        await conn.close()


async def projected(
    ns: Namespace, total: int, batch_size: int, timeout: float
) -> tuple[float, float]:
    settings = ServiceSettings(
        database_url=SecretStr(ns.dsn("reporting")),
        kafka_bootstrap=ns.infra.kafka_bootstrap,
        topic_prefix=ns.prefix,
        consumer_batch_size=batch_size,
    )
    runtime = ServiceRuntime("reporting", settings)
    probe = await asyncpg.connect(ns.dsn("reporting"))
    try:
        await runtime.open_pool()
        for stream in Stream:
            await add_projection_consumer(runtime, stream, projector())
        settle_heap()  # as the service's start hook does
        started = time.perf_counter()
        await runtime.start_messaging()
        first = 0.0
        while True:
            done = await probe.fetchval("SELECT coalesce(sum(events), 0) FROM rp.stream_state")
            now = time.perf_counter() - started
            first = first or (now if done else 0.0)
            if done >= total:
                break
            if now > timeout:
                raise TimeoutError(f"projected {done}/{total}")
            await asyncio.sleep(0.05)
        inbox = await probe.fetchval("SELECT count(*) FROM rp.inbox")
        print(f"check: projected events={done}, inbox rows={inbox}, expected {total}")
        # Joining three consumer groups takes seconds that say nothing about throughput.
        print(f"first batch applied after {first:.2f} s (group join, first fetch)")
        return now, now - first
    finally:
        await runtime.stop()
        await probe.close()


async def bench(n: int, batch_size: int, timeout: float) -> None:
    streams = simulate(n)
    total = sum(len(e) for e in streams.values())
    async with namespace() as ns:
        started = time.perf_counter()
        await publish_all(ns.infra.kafka_bootstrap, ns.topics, streams)
        print(f"produced in {time.perf_counter() - started:.1f} s")
        raw = await raw_copy(ns, total, batch_size, timeout)
        print(f"raw consume + COPY: {raw:.2f} s; {load()}")
        measured, steady = await projected(ns, total, batch_size, timeout)
        print(f"reporting projection: {measured:.2f} s; {load()}")
    rows = [
        [
            "raw aiokafka + Envelope parse + COPY",
            str(batch_size),
            f"{raw:.2f}",
            rate(total, raw),
            "1.00",
        ],
        [
            "reporting projection (all read models)",
            str(batch_size),
            f"{measured:.2f}",
            rate(total, measured),
            f"{raw / measured:.2f}",
        ],
        [
            "  the same, after its first batch",
            str(batch_size),
            f"{steady:.2f}",
            rate(total, steady),
            f"{raw / steady:.2f}",
        ],
    ]
    print_table(
        f"Projecting N={total:,} events from 3 topics",
        ["path", "batch", "s", "events/s", "vs raw"],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="about this many events")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=ReportingSettings.model_fields["consumer_batch_size"].default,
        help="records per batch (default: the service's own)",
    )
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    asyncio.run(bench(args.n, args.batch_size, args.timeout))


if __name__ == "__main__":
    main()
