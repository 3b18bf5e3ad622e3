"""Test and benchmark support: publish simulated journeys, wait for the projection, and count
what the progress report should say straight from the simulation's ground truth."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from xkld_shared.contracts.envelope import Envelope
from xkld_shared.contracts.topics import Stream, Topics
from xkld_shared.testing.kafka import produce_raw

from xkld_testkit.reporting_simulation import Journey


def interleave(per_key: Sequence[Sequence[Envelope]], seed: int = 7) -> list[Envelope]:
    """Merge several registrations' event lists at random, each list keeping its order."""
    rng = random.Random(seed)  # noqa: S311 - test data
    queues = [list(q) for q in per_key if q]
    out: list[Envelope] = []
    while queues:
        i = rng.randrange(len(queues))
        out.append(queues[i].pop(0))
        if not queues[i]:
            queues.pop(i)
    return out


def streams_of(journeys: Sequence[Journey]) -> dict[Stream, list[Envelope]]:
    return {
        Stream.REGISTRATION: interleave([j.registration_events for j in journeys], 1),
        Stream.LOAN: interleave([j.loan_events for j in journeys], 2),
        Stream.NOTIFICATION: interleave([j.notification_events for j in journeys], 3),
    }


async def publish(bootstrap: str, topic: str, envelopes: Sequence[Envelope]) -> None:
    await produce_raw(bootstrap, topic, [(e.partition_key, e.to_bytes()) for e in envelopes])


async def publish_all(
    bootstrap: str, topics: Topics, streams: dict[Stream, list[Envelope]], loans_first: bool = True
) -> None:
    """Loans first by default: their events then reach the projection before the
    registrations they belong to, which the projection must cope with."""
    order = [Stream.LOAN, Stream.REGISTRATION, Stream.NOTIFICATION]
    if not loans_first:
        order.reverse()
    for stream in order:
        await publish(bootstrap, topics.of(stream), streams[stream])


async def wait_projected(dsn: str, expected: dict[Stream, int], timeout: float = 90.0) -> None:
    """Until each stream's projected event count reaches what was published (fresh events)."""
    conn = await asyncpg.connect(dsn)
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            rows = await conn.fetch("SELECT stream, events FROM rp.stream_state")
            seen = {r["stream"]: int(r["events"]) for r in rows}
            if all(seen.get(s.value, 0) >= n for s, n in expected.items() if n):
                return
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"projected {seen}, expected {expected}")
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


def expected_actuals(
    journeys: Sequence[Journey], current: dict[str, str], year: int, quarter: int | None = None
) -> Counter[tuple[str, str]]:
    """(commune, indicator) -> value for one year (or one quarter of it), from the ground truth
    alone.

    `current` maps every commune code the simulation used (old or new) to today's unit.
    """

    def within(day: dt.date | None) -> bool:
        return (
            day is not None
            and day.year == year
            and (quarter is None or (day.month - 1) // 3 + 1 == quarter)
        )

    out: Counter[tuple[str, str]] = Counter()
    for j in journeys:
        commune = current[j.commune_as_registered]
        if within(j.submitted_on):
            out[(commune, "registered")] += 1
        if within(j.trained_on):
            out[(commune, "trained")] += 1
        if within(j.departed_on):
            out[(commune, "departed")] += 1
        if within(j.disbursed_on):
            out[(commune, "loans_disbursed")] += 1
            out[(commune, "loans_disbursed_vnd")] += j.disbursed_vnd
    return out


async def wait_caught_up(bootstrap: str, topics: Topics, timeout: float = 60.0) -> None:
    """Until the service's consumer groups have committed the end of every stream's topic:
    everything published so far (duplicates included) has been handled."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await admin.start()
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        for stream in Stream:
            topic = topics.of(stream)
            partitions = [
                TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []
            ]
            if not partitions:
                await consumer.topics()
                partitions = [
                    TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or []
                ]
            ends = await consumer.end_offsets(partitions)
            while True:
                committed = await admin.list_consumer_group_offsets(f"reporting.{stream.value}")
                if all(
                    tp in committed and committed[tp].offset >= end
                    for tp, end in ends.items()
                    if end
                ):
                    break
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"{topic}: committed {committed}, ends {ends}")
                await asyncio.sleep(0.2)
    finally:
        await consumer.stop()
        await admin.close()
