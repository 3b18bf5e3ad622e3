"""Benchmark: rebuilding every projection from the topics, at a configurable scale.

    uv run python -m bench.rebuild [--n 100000] [--batch-size 2000]

Simulated journeys (about 10 events per registration, all three streams) are produced to the
namespace's topics (not timed). Then, in the same run:

- baseline: a bare AIOKafkaConsumer reads every topic from offset 0 and parses each envelope
  and payload, which the rebuild must do before any projection work;
- measured: `Rebuilder.run(fresh=True)`: replay into `rp_next`, one transaction per fetched
  batch with offsets stored, then the switch (lock, catch-up, schema rename).

The rebuilt tables are checked against a count of what was produced (every event applied).
"""

from __future__ import annotations

import argparse
import asyncio
import time

import asyncpg
from aiokafka import AIOKafkaConsumer
from xkld_reporting.heap import settle_heap
from xkld_reporting.rebuild import Rebuilder
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.contracts.registry import default_registry
from xkld_shared.contracts.topics import Stream
from xkld_shared.testing.infra import Namespace
from xkld_testkit.reporting_testing import publish_all

from bench._common import load, namespace, print_table, rate
from bench.reporting_ingest import simulate

_REGISTRY = default_registry()


async def raw_read(ns: Namespace, total: int, batch_size: int) -> float:
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
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    _REGISTRY.payload_of(Envelope.from_bytes(record.value or b""))
                seen += len(records)
        return time.perf_counter() - started
    finally:
        await consumer.stop()


async def bench(n: int, batch_size: int) -> None:
    streams = simulate(n)
    total = sum(len(e) for e in streams.values())
    async with namespace() as ns:
        await publish_all(ns.infra.kafka_bootstrap, ns.topics, streams)
        raw = await raw_read(ns, total, batch_size)
        print(f"raw read + parse: {raw:.2f} s; {load()}")
        rebuilder = Rebuilder(ns.dsn("reporting"), ns.infra.kafka_bootstrap, ns.topics, batch_size)
        settle_heap()  # as `python -m xkld_reporting.rebuild` does
        result = await rebuilder.run(fresh=True)
        print(f"rebuild: {result.seconds:.2f} s; {load()}")
        conn = await asyncpg.connect(ns.dsn("reporting"))
        try:
            events = await conn.fetchval("SELECT sum(events) FROM rp.stream_state")
        finally:
            await conn.close()
        print(f"check: {events:,} events projected in the rebuilt tables, {total:,} produced")
    rows = [
        ["raw aiokafka read + Envelope/payload parse", f"{raw:.2f}", rate(total, raw), "1.00"],
        [
            "rebuild (replay into rp_next + switch)",
            f"{result.seconds:.2f}",
            rate(total, result.seconds),
            f"{raw / result.seconds:.2f}",
        ],
    ]
    print_table(
        f"Rebuild from N={total:,} events (batch {batch_size})",
        ["path", "s", "events/s", "vs raw"],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="about this many events")
    parser.add_argument("--batch-size", type=int, default=5000)
    args = parser.parse_args()
    asyncio.run(bench(args.n, args.batch_size))


if __name__ == "__main__":
    main()
