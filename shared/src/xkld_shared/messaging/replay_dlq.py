"""Replaying a dead-letter topic: `python -m xkld_shared.messaging.replay_dlq`.

Each dead letter goes back, byte for byte with its key, to the topic it came from (header
`x-dlq-original-topic`), without the `x-dlq-*` headers. Every consumer group of that topic sees
it again; the ones that had applied it find its event id in their inbox and skip it, so only the
consumer that failed applies it. Fix the cause first: a message that still fails comes back to
the DLQ after its retries.

Progress is kept in the consumer group `xkld-dlq-replay.<dlq topic>`, committed once the copies
are acknowledged (acks=all): a second run replays only letters that arrived since. `--dry-run`
lists the letters (error type and text, which never carry input values) and changes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from collections import Counter
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord

from xkld_shared.contracts.topics import DLQ_SUFFIX
from xkld_shared.messaging.kafka import make_idempotent_producer
from xkld_shared.messaging.kafka_security import kafka_client_options

_DLQ_HEADER = "x-dlq-"


@dataclass
class Replay:
    letters: list[dict[str, object]] = field(default_factory=list)
    replayed: Counter[str] = field(default_factory=Counter)


def group_of(dlq_topic: str) -> str:
    return f"xkld-dlq-replay.{dlq_topic}"


def describe(record: ConsumerRecord[bytes, bytes]) -> dict[str, object]:
    headers = {k: v.decode(errors="replace") for k, v in record.headers or ()}
    return {
        "dlq_offset": f"{record.partition}:{record.offset}",
        "original": f"{headers.get('x-dlq-original-topic')}"
        f"[{headers.get('x-dlq-original-partition')}]@{headers.get('x-dlq-original-offset')}",
        "consumer": headers.get("x-dlq-consumer"),
        "error_type": headers.get("x-dlq-error-type"),
        "error": headers.get("x-dlq-error"),
        "failed_at": headers.get("x-dlq-failed-at"),
    }


async def _partitions(bootstrap: str, topic: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **kafka_client_options())
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if described["error_code"] != 0 or not described["partitions"]:
        raise ValueError(f"no topic {topic} (error code {described['error_code']})")
    return [TopicPartition(topic, p["partition"]) for p in described["partitions"]]


async def _pending(
    bootstrap: str, consumer: AIOKafkaConsumer, dlq_topic: str
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every letter from the group's committed offsets up to the end offsets read now."""
    partitions = await _partitions(bootstrap, dlq_topic)
    consumer.assign(partitions)
    ends = await consumer.end_offsets(partitions)
    for tp in partitions:
        committed = await consumer.committed(tp)
        if committed is None:
            await consumer.seek_to_beginning(tp)
        else:
            consumer.seek(tp, committed)
    records: list[ConsumerRecord[bytes, bytes]] = []
    while await _behind(consumer, ends):
        for batch in (await consumer.getmany(timeout_ms=1000)).values():
            records.extend(
                r for r in batch if r.offset < ends[TopicPartition(r.topic, r.partition)]
            )
    return records


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return True
    return False


async def replay(bootstrap: str, dlq_topic: str, *, dry_run: bool = False) -> Replay:
    if not dlq_topic.endswith(DLQ_SUFFIX):
        raise ValueError(f"{dlq_topic} is not a dead-letter topic (*{DLQ_SUFFIX})")
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group_of(dlq_topic),
        enable_auto_commit=False,
        # With a group, the consumer resets a partition without a committed offset by this
        # policy on its own, possibly after our seek: both must say "from the start".
        auto_offset_reset="earliest",
        **kafka_client_options(),
    )
    await consumer.start()
    try:
        records = await _pending(bootstrap, consumer, dlq_topic)
        result = Replay(letters=[describe(r) for r in records])
        if dry_run or not records:
            return result
        await _republish(bootstrap, records, result)
        # Only once every copy is acknowledged: a crash before this replays them again, which
        # the consumers' inboxes absorb.
        await consumer.commit({TopicPartition(r.topic, r.partition): r.offset + 1 for r in records})
        return result
    finally:
        await consumer.stop()


async def _republish(
    bootstrap: str, records: list[ConsumerRecord[bytes, bytes]], result: Replay
) -> None:
    producer = make_idempotent_producer(bootstrap, client_id="xkld-dlq-replay")
    await producer.start()
    try:
        sent = []
        for record in records:
            headers = dict(record.headers or ())
            original = headers.get("x-dlq-original-topic", b"").decode()
            if not original:
                raise ValueError(f"{record.topic}@{record.offset} has no x-dlq-original-topic")
            kept = [(k, v) for k, v in record.headers or () if not k.startswith(_DLQ_HEADER)]
            sent.append(
                await producer.send(original, value=record.value, key=record.key, headers=kept)
            )
            result.replayed[original] += 1
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def _main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m xkld_shared.messaging.replay_dlq", description=__doc__
    )
    parser.add_argument("dlq_topic", help="e.g. xkld.registration.dlq")
    parser.add_argument("--bootstrap", default=os.environ.get("XKLD_KAFKA_BOOTSTRAP"))
    parser.add_argument("--dry-run", action="store_true", help="list the letters, replay nothing")
    args = parser.parse_args()
    if not args.bootstrap:
        parser.error("give --bootstrap or set XKLD_KAFKA_BOOTSTRAP")
    result = await replay(args.bootstrap, args.dlq_topic, dry_run=args.dry_run)
    for letter in result.letters:
        print(json.dumps(letter, ensure_ascii=False))
    print(json.dumps({"letters": len(result.letters), "replayed": dict(result.replayed)}))


if __name__ == "__main__":
    asyncio.run(_main())
