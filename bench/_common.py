"""What both benchmarks need: a throw-away namespace, envelopes to send, timing, a plain table."""

from __future__ import annotations

import os
import random
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import TopicPartition
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.messaging.kafka import encode_headers
from xkld_shared.testing.infra import TEST_PARTITIONS, Namespace, TestInfra
from xkld_shared.testing.kafka import submitted

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class Message:
    """One event as it goes on the wire: what a raw producer sends and the relay would send."""

    key: bytes
    value: bytes
    headers: Headers


@asynccontextmanager
async def namespace() -> AsyncIterator[Namespace]:
    """Own databases and topics for this run, dropped afterwards whatever happened."""
    infra = TestInfra.from_env()
    await infra.check()
    started = time.perf_counter()
    ns = await Namespace.create(infra)
    print(f"namespace {ns.prefix}: created in {time.perf_counter() - started:.1f} s; {load()}")
    try:
        yield ns
    finally:
        await ns.drop()
        print(f"namespace {ns.prefix}: dropped; {load()}")


def load() -> str:
    """The machine's load average: a busy neighbour (tests, another benchmark) skews figures."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def make_envelopes(n: int, *, keys: int, communes: int, seed: int = 2026) -> list[Envelope]:
    """`n` RegistrationSubmitted envelopes over `keys` registrations, shuffled so that one
    registration's events are interleaved with others', as they would be in a busy outbox."""
    rng = random.Random(seed)
    registrations = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(max(keys, 1))]
    codes = [f"{code:05d}" for code in rng.sample(range(100_000), communes)]
    owners = [registrations[i % len(registrations)] for i in range(n)]
    rng.shuffle(owners)
    return [submitted(commune_code=rng.choice(codes), registration_id=r) for r in owners]


def build_envelopes(n: int, keys: int, communes: int = 200) -> list[Envelope]:
    started = time.perf_counter()
    envelopes = make_envelopes(n, keys=keys, communes=communes)
    seconds = time.perf_counter() - started
    print(f"{n:,} envelopes, {keys:,} registrations, {communes} communes: built in {seconds:.1f} s")
    return envelopes


def to_message(envelope: Envelope) -> Message:
    # The same key, value and headers as `OutboxRelay._publish` puts on the wire.
    headers = {
        "event_type": envelope.event_type,
        "event_id": str(envelope.event_id),
        "content-type": "application/json",
    }
    return Message(envelope.partition_key, envelope.to_bytes(), encode_headers(headers))


async def topic_size(bootstrap: str, topic: str) -> int:
    """Sum of the topic's end offsets: how many records were ever appended to it.

    Every namespace topic has TEST_PARTITIONS partitions (a missing one would fail loudly)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(TEST_PARTITIONS)]
        ends = await consumer.end_offsets(partitions)
        return sum(ends.values())
    finally:
        await consumer.stop()


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}" if seconds > 0 else "-"


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Plain aligned text: first column left-aligned, the figures right-aligned."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        parts = [first.ljust(widths[0])]
        parts += [cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True)]
        return "  ".join(parts)

    print(f"\n{title}")
    print(line(header))
    print("  ".join("-" * width for width in widths))
    for row in rows:
        print(line(row))
