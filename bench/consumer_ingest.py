"""Benchmark: the reporting service's projection consumer against a raw Kafka consumer.

    uv run python -m bench.consumer_ingest [--n 100000] [--batch-sizes 100,500]

Produces N RegistrationSubmitted envelopes to the namespace's registration topic (not timed).
The baselines read them with a bare AIOKafkaConsumer and parse each one. The measured path is
the real one: a ServiceRuntime consumer (FastStream batch subscriber, EventConsumer, inbox)
with the reporting projection handler, timed until `sum(registered)` reaches N.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer
from pydantic import SecretStr
from xkld_reporting.application.consumer import add_projection_consumer
from xkld_reporting.bootstrap import projector
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.registry import default_registry
from xkld_shared.contracts.topics import Stream
from xkld_shared.db.pool import Conn
from xkld_shared.messaging.consumer import BatchHandler
from xkld_shared.messaging.kafka import make_idempotent_producer
from xkld_shared.runtime import ServiceRuntime
from xkld_shared.settings import ServiceSettings
from xkld_shared.testing.infra import Namespace

from bench._common import Message, build_envelopes, namespace, print_table, rate, to_message

_POLL_SECONDS = 0.1
_REGISTRY = default_registry()


@dataclass(frozen=True)
class Run:
    label: str
    batch: str
    seconds: float
    first_seconds: float  # until the first record was seen: group join, first fetch
    checks: str = ""


def envelope_and_payload(raw: bytes) -> object:
    """What EventConsumer._decode does to every record."""
    return _REGISTRY.payload_of(Envelope.from_bytes(raw))


async def produce_all(bootstrap: str, topic: str, messages: Sequence[Message]) -> float:
    producer = make_idempotent_producer(bootstrap, client_id="bench-load")
    await producer.start()
    started = time.perf_counter()
    try:
        acks = [
            await producer.send(topic, value=m.value, key=m.key, headers=m.headers)
            for m in messages
        ]
        await asyncio.gather(*acks)
    finally:
        await producer.stop()
    return time.perf_counter() - started


async def raw_consume(
    ns: Namespace, n: int, group: str, parse: Callable[[bytes], object], timeout: float
) -> tuple[float, float]:
    """Read the topic from the start with a fresh group until `n` records were parsed."""
    consumer = AIOKafkaConsumer(
        ns.topics.of(Stream.REGISTRATION),
        bootstrap_servers=ns.infra.kafka_bootstrap,
        group_id=ns.prefix + group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    started = time.perf_counter()
    first, seen = 0.0, 0
    await consumer.start()
    try:
        while seen < n:
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"raw consumer read {seen}/{n} in {timeout:.0f} s")
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    parse(record.value or b"")
                seen += len(records)
            first = first or (time.perf_counter() - started if seen else 0.0)
        return time.perf_counter() - started, first
    finally:
        await consumer.stop()


def timed_handler(handler: BatchHandler, spent: list[float]) -> BatchHandler:
    """The real batch handler, with its wall time added up (two clock reads per batch)."""

    async def timed(conn: Conn, events: Sequence[tuple[Envelope, EventPayload]]) -> None:
        started = time.perf_counter()
        try:
            await handler(conn, events)
        finally:
            spent[0] += time.perf_counter() - started

    return timed


async def wait_for_total(
    probe: asyncpg.Connection, n: int, started: float, timeout: float
) -> tuple[float, float]:
    """Poll the projection until it counts `n` registrations; returns (total, first) times."""
    first = 0.0
    while True:
        total = await probe.fetchval("SELECT sum(registered) FROM registrations_by_commune") or 0
        now = time.perf_counter() - started
        first = first or (now if total else 0.0)
        if total >= n:
            return now, first
        if now > timeout:
            raise TimeoutError(f"projection counted {total}/{n} after {timeout:.0f} s")
        await asyncio.sleep(_POLL_SECONDS)


async def reporting_run(
    ns: Namespace, probe: asyncpg.Connection, n: int, batch_size: int, timeout: float
) -> Run:
    """The reporting service's consumer, as its bootstrap wires it, from an empty projection."""
    await probe.execute("TRUNCATE rp.inbox, rp.monthly, rp.registration, rp.stream_state")
    settings = ServiceSettings(
        database_url=SecretStr(ns.dsn("reporting")),
        kafka_bootstrap=ns.infra.kafka_bootstrap,
        topic_prefix=ns.prefix,
        consumer_batch_size=batch_size,
    )
    # A runtime name per batch size: a fresh consumer group that reads from the start.
    runtime = ServiceRuntime(f"reporting-b{batch_size}", settings)
    in_handler = [0.0]  # the projection consumer applies batches itself: not split out
    try:
        await runtime.open_pool()
        consumer = await add_projection_consumer(runtime, Stream.REGISTRATION, projector())
        started = time.perf_counter()
        await runtime.start_messaging()
        seconds, first = await wait_for_total(probe, n, started, timeout)
    finally:
        await runtime.stop()
    inbox = await probe.fetchval("SELECT count(*) FROM rp.inbox")
    stats = consumer.stats
    checks = (
        f"inbox rows={inbox}/{n}, applied={stats.applied}, duplicates={stats.duplicates}, "
        f"dead-lettered={stats.dead_lettered}, in handler={100 * in_handler[0] / seconds:.0f}%"
    )
    print(f"reporting consumer, batch {batch_size}: {seconds:.2f} s ({rate(n, seconds)} events/s)")
    return Run("reporting consumer (runtime + projection)", str(batch_size), seconds, first, checks)


def report(n: int, produce_seconds: float, runs: Sequence[Run]) -> None:
    raw = runs[0].seconds
    rows = [
        [
            run.label,
            run.batch,
            f"{run.seconds:.2f}",
            f"{run.first_seconds:.2f}",
            rate(n, run.seconds),
            f"{raw / run.seconds:.2f}",
        ]
        for run in runs
    ]
    header = ["path", "batch", "s", "1st rec s", "events/s", "vs raw"]
    print_table(f"Consuming N={n:,} (produced in {produce_seconds:.1f} s)", header, rows)
    for run in runs:
        if run.checks:
            print(f"check batch {run.batch}: {run.checks}")


async def raw_runs(ns: Namespace, n: int, timeout: float) -> list[Run]:
    parsers: list[tuple[str, Callable[[bytes], object]]] = [
        ("raw consumer + json.loads", json.loads),
        ("raw consumer + Envelope + payload", envelope_and_payload),
    ]
    runs = []
    for i, (label, parse) in enumerate(parsers):
        seconds, first = await raw_consume(ns, n, f"bench-raw-{i}", parse, timeout)
        print(f"{label}: {seconds:.2f} s ({rate(n, seconds)} events/s)")
        runs.append(Run(label, "-", seconds, first))
    return runs


async def bench(n: int, batch_sizes: Sequence[int], timeout: float) -> None:
    messages = [to_message(e) for e in build_envelopes(n, keys=max(n // 4, 1))]
    async with namespace() as ns:
        topic = ns.topics.of(Stream.REGISTRATION)
        produced = await produce_all(ns.infra.kafka_bootstrap, topic, messages)
        print(f"produced {n:,} to {topic} in {produced:.1f} s ({rate(n, produced)} events/s)")
        runs = await raw_runs(ns, n, timeout)
        probe = await asyncpg.connect(ns.dsn("reporting"))
        try:
            for size in batch_sizes:
                runs.append(await reporting_run(ns, probe, n, size, timeout))
        finally:
            await probe.close()
    report(n, produced, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="events (default 100000)")
    parser.add_argument("--batch-sizes", default="100,500", help="consumer batch sizes to try")
    parser.add_argument("--timeout", type=float, default=600.0, help="per run, seconds")
    args = parser.parse_args()
    sizes = [int(size) for size in args.batch_sizes.split(",")]
    asyncio.run(bench(args.n, sizes, args.timeout))


if __name__ == "__main__":
    main()
