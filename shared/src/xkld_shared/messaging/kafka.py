"""aiokafka clients configured the way this project needs them."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from xkld_shared.messaging.kafka_security import KafkaSecurity, kafka_client_options


def make_idempotent_producer(
    bootstrap: str, *, client_id: str, security: KafkaSecurity | None = None
) -> AIOKafkaProducer:
    # acks=all + idempotence: no loss on leader change, no duplicates from internal retries,
    # and per-partition order kept with up to 5 requests in flight.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=512 * 1024,
        request_timeout_ms=30_000,
        **kafka_client_options(security),
    )


def encode_headers(headers: dict[str, str]) -> list[tuple[str, bytes]]:
    return [(name, value.encode()) for name, value in headers.items()]
