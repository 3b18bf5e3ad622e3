"""Benchmark: the outbox relay's throughput against a raw idempotent producer.

    uv run python -m bench.outbox_relay [--n 100000] [--batch-sizes 500,2000]

Loads N RegistrationSubmitted envelopes into the registration database's outbox (not timed),
then times `OutboxRelay.publish_pending()` in a loop until every row is published and marked.
The baseline sends the same bytes, keys and headers with a producer built by
`make_idempotent_producer`, to another topic of the namespace (same partition count).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field

import asyncpg
from aiokafka import AIOKafkaProducer
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.contracts.topics import Stream
from xkld_shared.db.pool import Conn, create_pool
from xkld_shared.messaging.kafka import make_idempotent_producer
from xkld_shared.messaging.outbox import add_to_outbox
from xkld_shared.messaging.relay import OutboxRelay
from xkld_shared.testing.infra import Namespace

from bench._common import Message, build_envelopes, namespace, print_table, rate, to_message
from bench._common import topic_size as kafka_topic_size

_LOAD_CHUNK = 5_000  # rows per add_to_outbox transaction when filling the outbox


class TimedRelay(OutboxRelay):
    """The real relay, adding up the wall time of each step of a pass (a few clock reads per
    pass, nothing per row). Whatever is not claim, publish or mark is the row fetch, the
    connection checkout and BEGIN/COMMIT."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        producer_factory: Callable[[], AIOKafkaProducer],
        *,
        batch_size: int,
    ) -> None:
        super().__init__(pool, producer_factory, batch_size=batch_size)
        self.phases: defaultdict[str, float] = defaultdict(float)
        self.passes: list[tuple[int, float]] = []  # (rows, seconds) of each timed pass

    @contextmanager
    def _timed(self, phase: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases[phase] += time.perf_counter() - started

    async def _claim_keys(self, conn: Conn) -> list[str]:
        with self._timed("claim keys"):
            return await super()._claim_keys(conn)

    async def _publish(self, producer: AIOKafkaProducer, rows: Sequence[asyncpg.Record]) -> None:
        with self._timed("publish+acks"):
            await super()._publish(producer, rows)

    async def _mark_published(self, conn: Conn, ids: list[int]) -> None:
        with self._timed("mark"):
            await super()._mark_published(conn, ids)


@dataclass
class RelayRun:
    batch_size: int
    load_seconds: float  # filling the outbox through add_to_outbox: not part of the figure
    raw_seconds: float  # the raw producer awaiting its acks every `batch_size` messages
    seconds: float  # the relay, from its first pass to the commit of its last one
    published: int
    appended: int  # records the topic grew by: what really reached Kafka
    unpublished: int
    passes: list[tuple[int, float]] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)


async def load_outbox(pool: asyncpg.Pool, topic: str, envelopes: Sequence[Envelope]) -> float:
    """Fill the outbox through the real write path; returns the insert time."""
    started = time.perf_counter()
    for start in range(0, len(envelopes), _LOAD_CHUNK):
        async with pool.acquire() as conn, conn.transaction():
            await add_to_outbox(conn, topic, envelopes[start : start + _LOAD_CHUNK])
    seconds = time.perf_counter() - started
    # What autovacuum would do soon after such a load; without it the planner guesses.
    await pool.execute("ANALYZE outbox")
    return seconds


async def produce(
    producer: AIOKafkaProducer, topic: str, messages: Sequence[Message], window: int
) -> float:
    """Send everything, awaiting the acks every `window` messages; returns the elapsed time."""
    started = time.perf_counter()
    for start in range(0, len(messages), window):
        acks = [
            await producer.send(topic, value=m.value, key=m.key, headers=m.headers)
            for m in messages[start : start + window]
        ]
        await asyncio.gather(*acks)
    return time.perf_counter() - started


async def drain(relay: TimedRelay, timeout: float) -> float:
    """Run passes until one finds nothing; returns the time to the last pass's commit."""
    started = time.perf_counter()
    finished = started
    while True:
        pass_started = time.perf_counter()
        published = await relay.publish_pending()
        if published == 0:
            return finished - started
        finished = time.perf_counter()
        relay.passes.append((published, finished - pass_started))
        if finished - started > timeout:
            raise TimeoutError(f"relay still draining after {timeout:.0f} s")


async def run_relay(
    ns: Namespace,
    pool: asyncpg.Pool,
    envelopes: Sequence[Envelope],
    batch_size: int,
    timeout: float,
) -> tuple[float, float, TimedRelay, int]:
    """Fill the outbox, then time the relay draining it.

    Returns the load time, the drain time, the relay, and how many records reached the topic."""
    bootstrap, topic = ns.infra.kafka_bootstrap, ns.topics.of(Stream.REGISTRATION)
    producers: list[AIOKafkaProducer] = []

    def producer_factory() -> AIOKafkaProducer:
        # Kept so the bench can close it: the relay closes its producer only when run() ends.
        producers.append(make_idempotent_producer(bootstrap, client_id="bench-relay"))
        return producers[-1]

    relay = TimedRelay(pool, producer_factory, batch_size=batch_size)
    try:
        await pool.execute("TRUNCATE outbox")
        await relay.publish_pending()  # starts the producer on the empty outbox: not timed
        load_seconds = await load_outbox(pool, topic, envelopes)
        before = await kafka_topic_size(bootstrap, topic)
        seconds = await drain(relay, timeout)
        appended = await kafka_topic_size(bootstrap, topic) - before
    finally:
        for producer in producers:
            await producer.stop()
    return load_seconds, seconds, relay, appended


async def measure(
    ns: Namespace,
    pool: asyncpg.Pool,
    producer: AIOKafkaProducer,
    envelopes: Sequence[Envelope],
    messages: Sequence[Message],
    batch_size: int,
    timeout: float,
) -> RelayRun:
    """The raw producer with acks awaited per batch, then the relay, for one batch size."""
    raw_seconds = await produce(producer, ns.topics.of(Stream.NOTIFICATION), messages, batch_size)
    load_seconds, seconds, relay, appended = await run_relay(
        ns, pool, envelopes, batch_size, timeout
    )
    unpublished = await pool.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    n = len(envelopes)
    # Printed now, so a run that fails later does not take this one's figure with it.
    print(
        f"batch {batch_size}: outbox loaded in {load_seconds:.1f} s; relay {seconds:.2f} s "
        f"({rate(n, seconds)} events/s); raw, acks per batch {raw_seconds:.2f} s"
    )
    return RelayRun(
        batch_size,
        load_seconds,
        raw_seconds,
        seconds,
        relay.published_total,
        appended,
        unpublished,
        relay.passes,
        dict(relay.phases),
    )


def quarter_rates(passes: Sequence[tuple[int, float]]) -> tuple[str, str]:
    """Rates over the first and the last quarter of passes: shows whether the relay slows down
    as published rows pile up behind the unpublished ones."""
    quarter = max(len(passes) // 4, 1)

    def of(part: Sequence[tuple[int, float]]) -> str:
        return rate(sum(n for n, _ in part), sum(s for _, s in part))

    return of(passes[:quarter]), of(passes[-quarter:])


def report(n: int, raw_all: float, runs: Sequence[RelayRun]) -> None:
    rows = [["raw producer, all in flight", "-", f"{raw_all:.2f}", rate(n, raw_all), "1.00"]]
    for run in runs:
        for label, seconds in [
            ("raw producer, acks awaited per batch", run.raw_seconds),
            ("outbox relay (publish_pending loop)", run.seconds),
        ]:
            row = [label, str(run.batch_size), f"{seconds:.2f}", rate(n, seconds)]
            rows.append([*row, f"{raw_all / seconds:.2f}"])
    print_table(f"Publishing N={n:,}", ["path", "batch", "s", "events/s", "vs raw"], rows)
    print_relay_details(n, runs)


def print_relay_details(n: int, runs: Sequence[RelayRun]) -> None:
    phases = ["claim keys", "publish+acks", "mark", "fetch rows, begin/commit"]
    rows = []
    for run in runs:
        known = sum(run.phases.values())
        spent = {**run.phases, phases[-1]: run.seconds - known}
        first, last = quarter_rates(run.passes)
        rows.append(
            [str(run.batch_size), str(len(run.passes))]
            + [f"{100 * spent.get(p, 0.0) / run.seconds:.0f}%" for p in phases]
            + [first, last, f"{run.load_seconds:.1f}"]
        )
    header = ["batch", "passes", *phases, "ev/s 1st 1/4", "ev/s last 1/4", "load s"]
    print_table("Relay: share of wall time per step, and outbox load time", header, rows)
    for run in runs:
        print(
            f"check batch {run.batch_size}: published_total={run.published}/{n}, "
            f"appended to topic={run.appended}, still unpublished={run.unpublished}"
        )


async def bench(n: int, keys: int, batch_sizes: Sequence[int], timeout: float) -> None:
    envelopes = build_envelopes(n, keys)
    messages = [to_message(e) for e in envelopes]
    async with namespace() as ns, AsyncExitStack() as closing:
        # The baseline's topic: same partition count as the relay's, dropped with the namespace.
        raw_topic = ns.topics.of(Stream.NOTIFICATION)
        producer = make_idempotent_producer(ns.infra.kafka_bootstrap, client_id="bench-raw")
        await producer.start()
        closing.push_async_callback(producer.stop)
        pool = await create_pool(ns.dsn("registration"))
        closing.push_async_callback(pool.close)
        await produce(producer, raw_topic, messages[:2_000], 2_000)  # warm-up, not timed
        raw_all = await produce(producer, raw_topic, messages, len(messages))
        print(f"raw producer, all in flight: {raw_all:.2f} s ({rate(n, raw_all)} events/s)")
        runs = [
            await measure(ns, pool, producer, envelopes, messages, size, timeout)
            for size in batch_sizes
        ]
    report(n, raw_all, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=100_000, help="outbox rows (default 100000)")
    parser.add_argument("--keys", type=int, help="distinct registration ids (default n/4)")
    parser.add_argument("--batch-sizes", default="500,2000", help="relay batch sizes to try")
    parser.add_argument("--timeout", type=float, default=600.0, help="per relay run, seconds")
    args = parser.parse_args()
    sizes = [int(size) for size in args.batch_sizes.split(",")]
    asyncio.run(bench(args.n, args.keys or max(args.n // 4, 1), sizes, args.timeout))


if __name__ == "__main__":
    main()
