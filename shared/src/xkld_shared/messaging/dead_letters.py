"""Dead-letter topic `<topic>.dlq`: the poison message, byte for byte, with why it failed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from xkld_shared.contracts.topics import DLQ_SUFFIX

log = logging.getLogger(__name__)

_MAX_ERROR_CHARS = 1000


def describe_error(exc: BaseException) -> str:
    """An error text safe for headers: pydantic's default text echoes the input (personal data)."""
    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        text = f"{exc.title} validation failed: " + "; ".join(parts)
    else:
        text = f"{type(exc).__name__}: {exc}"
    return text[:_MAX_ERROR_CHARS]


class DeadLetters:
    def __init__(self, producer: AIOKafkaProducer, consumer_name: str) -> None:
        self._producer = producer
        self._consumer = consumer_name
        self.count = 0

    async def send(
        self, record: ConsumerRecord[bytes, bytes], exc: BaseException, attempts: int
    ) -> None:
        headers = dict(record.headers or ())
        headers.update(
            {
                "x-dlq-error": describe_error(exc).encode(),
                "x-dlq-error-type": type(exc).__name__.encode(),
                "x-dlq-original-topic": record.topic.encode(),
                "x-dlq-original-partition": str(record.partition).encode(),
                "x-dlq-original-offset": str(record.offset).encode(),
                "x-dlq-consumer": self._consumer.encode(),
                "x-dlq-attempts": str(attempts).encode(),
                "x-dlq-failed-at": datetime.now(UTC).isoformat().encode(),
            }
        )
        await self._producer.send_and_wait(
            record.topic + DLQ_SUFFIX,
            value=record.value,
            key=record.key,
            headers=list(headers.items()),
        )
        self.count += 1
        log.warning(
            "message dead-lettered",
            extra={
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "error_type": type(exc).__name__,
            },
        )
