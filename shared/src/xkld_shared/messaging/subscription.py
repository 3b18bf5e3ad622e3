"""Wiring an EventConsumer to a FastStream Kafka subscriber with a manual ack policy.

FastStream's default policy commits before the handler runs (at-most-once); `ACK` commits even
when the handler raised; a message neither acked nor rewound is lost once a later offset commits.
So this subscriber acks only after `EventConsumer.handle` returns, and rewinds otherwise.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy

from xkld_shared.messaging.consumer import ConsumerStopping, EventConsumer

log = logging.getLogger(__name__)


def subscribe(
    broker: KafkaBroker,
    topic: str,
    consumer: EventConsumer,
    *,
    max_records: int = 500,
    fetch_max_wait_ms: int,
) -> Callable[[], AIOKafkaConsumer | None]:
    """Returns a way to reach the subscriber's Kafka client once started (for its lag)."""

    async def on_events(msg: KafkaMessage) -> None:
        raw = msg.raw_message
        records = raw if isinstance(raw, tuple) else (raw,)
        try:
            await consumer.handle(records)
        except ConsumerStopping:
            await msg.nack()
            return
        except Exception:
            log.exception("batch could not be handled; it will be fetched again")
            await msg.nack()
            await asyncio.sleep(1.0)
            return
        await msg.ack()

    subscriber = broker.subscriber(
        topic,
        group_id=consumer.name,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=100,
        fetch_max_wait_ms=fetch_max_wait_ms,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        decoder=_raw_body,
        title=f"{consumer.name}:{topic}",
    )
    subscriber(on_events)
    return lambda: subscriber.consumer


async def _raw_body(msg: object) -> object:
    # The envelope is parsed by EventConsumer, which dead-letters what does not parse; FastStream
    # must not try first and fail before our code sees the record.
    return getattr(msg, "body", b"")
