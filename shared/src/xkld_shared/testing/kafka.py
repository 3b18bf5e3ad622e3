"""Helpers for messaging tests: raw Kafka reads and writes, and envelopes to order."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord, TopicPartition

from xkld_shared.contracts.envelope import Envelope, new_envelope
from xkld_shared.contracts.registration import RegistrationSubmitted

T = TypeVar("T")


def submitted(
    commune_code: str = "29800", registration_id: uuid.UUID | None = None, consent: bool = True
) -> Envelope:
    payload = RegistrationSubmitted(
        commune_code=commune_code,
        gender="male",
        birth_year=2000,
        submitted_on=dt.date(2026, 11, 26),
        phone_ciphertext="v1.k1.not-opened-here",
        sms_consent=consent,
    )
    return new_envelope(payload, registration_id=registration_id or uuid.uuid4(), producer="test")


async def produce_raw(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        futures = [await producer.send(topic, value=v, key=k) for k, v in messages]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def read_all(
    bootstrap: str, topic: str, expected: int, timeout: float = 20.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Read a topic from the start until `expected` records arrived (or time ran out)."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(records) < expected and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for part in batch.values():
                records.extend(part)
    finally:
        await consumer.stop()
    return records


async def read_to_end(
    bootstrap: str, topics: list[str], timeout: float = 60.0
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record now on the topics, read up to each partition's end offset: complete, and
    with no wait on an empty topic. Fails rather than returning a part."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = await _partitions_of(bootstrap, topics)
        if not parts:
            return []
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        ends = await consumer.end_offsets(parts)
        return await asyncio.wait_for(_drain(consumer, ends), timeout)
    finally:
        await consumer.stop()


async def _partitions_of(bootstrap: str, topics: list[str]) -> list[TopicPartition]:
    """The topics' partitions as the cluster has them; a topic that does not exist has none."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return [
        TopicPartition(topic["topic"], part["partition"])
        for topic in described
        if topic["error_code"] == 0
        for part in topic["partitions"]
    ]


async def _drain(
    consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]
) -> list[ConsumerRecord[bytes, bytes]]:
    records: list[ConsumerRecord[bytes, bytes]] = []
    while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
        batch = await consumer.getmany(timeout_ms=500)
        for part in batch.values():
            records.extend(part)
    return records


async def eventually(
    check: Callable[[], Awaitable[T]], timeout: float = 20.0, interval: float = 0.2
) -> T:
    """Poll an async `check` until it returns a truthy value; return that value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value or asyncio.get_running_loop().time() > deadline:
            return value
        await asyncio.sleep(interval)
