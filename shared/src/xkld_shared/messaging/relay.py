"""The outbox relay: publishes committed outbox rows to Kafka, in order per key.

Why not `WHERE id > last_seen`: ids are handed out before commit, so a row with a lower id can
become visible after a higher one and would be skipped for good. Instead the relay reads every
row that is still unpublished.

Why advisory locks and not only `FOR UPDATE SKIP LOCKED` on rows: with several relays, SKIP LOCKED
lets relay B take a key's second event while relay A still holds its first, and B may publish
first. A relay therefore claims whole *keys* with `pg_try_advisory_xact_lock` (the key-level
SKIP LOCKED): a key held by another relay is skipped, and a relay that holds a key publishes its
rows in id order. Within one key, id order is commit order, because every writer locks the
aggregate row before inserting its outbox rows.

A crash between publish and mark rolls the transaction back; the rows are published again and
consumers' inboxes absorb the duplicates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence

import asyncpg
from aiokafka import AIOKafkaProducer
from opentelemetry.trace import SpanKind

from xkld_shared import failpoints
from xkld_shared.db.pool import Conn
from xkld_shared.db.wakeup import PgWakeup
from xkld_shared.messaging.kafka import encode_headers
from xkld_shared.tracing import TRACEPARENT, context_of, current_traceparent, tracer

log = logging.getLogger(__name__)

# First half of the two-part advisory lock key, so relay locks never collide with other uses.
_LOCK_NAMESPACE = 0x0B0C
_PURGE_EVERY_SECONDS = 600.0

# Told of each pass's rows once Kafka acknowledged them, and how long publishing took.
PublishObserver = Callable[[Sequence[asyncpg.Record], float], None]


def _unobserved(rows: Sequence[asyncpg.Record], seconds: float) -> None:
    return None


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        producer_factory: Callable[[], AIOKafkaProducer],
        *,
        listen_dsn: str | None = None,
        batch_size: int = 500,
        poll_seconds: float = 1.0,
        linger_seconds: float = 0.0,
        keep_published_days: int = 7,
        observe: PublishObserver = _unobserved,
    ) -> None:
        self._observe = observe
        self._pool = pool
        self._producer_factory = producer_factory
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._linger_seconds = linger_seconds
        self._keep_days = keep_published_days
        self._producer: AIOKafkaProducer | None = None
        self._wakeup = PgWakeup(listen_dsn, "outbox")
        self._stopping = asyncio.Event()
        self.published_total = 0
        self._failpoints = failpoints.enabled()

    async def publish_pending(self) -> int:
        """One pass: claim keys, publish their rows in order, mark them. Returns rows published."""
        producer = await self._ensure_producer()
        async with self._pool.acquire() as conn, conn.transaction():
            keys = await self._claim_keys(conn)
            if not keys:
                return 0
            rows = await conn.fetch(
                """SELECT id, topic, partition_key, event_type, event_id, envelope, traceparent
                   FROM outbox
                   WHERE published_at IS NULL AND partition_key = ANY($1::text[])
                   ORDER BY id LIMIT $2""",
                keys,
                self._batch_size,
            )
            started = time.perf_counter()
            await self._publish(producer, rows)
            published_in = time.perf_counter() - started
            failpoints.hit("relay.after_publish", self._failpoints)
            await self._mark_published(conn, [row["id"] for row in rows])
        self.published_total += len(rows)
        self._observe(rows, published_in)
        return len(rows)

    async def _claim_keys(self, conn: Conn) -> list[str]:
        candidates = await conn.fetch(
            "SELECT partition_key FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1",
            self._batch_size,
        )
        distinct = list(dict.fromkeys(row["partition_key"] for row in candidates))
        owned = await conn.fetch(
            """SELECT k FROM unnest($1::text[]) AS k
               WHERE pg_try_advisory_xact_lock($2, hashtext(k))""",
            distinct,
            _LOCK_NAMESPACE,
        )
        return [row["k"] for row in owned]

    async def _publish(self, producer: AIOKafkaProducer, rows: Sequence[asyncpg.Record]) -> None:
        pending = []
        for row in rows:
            headers = {
                "event_type": row["event_type"],
                "event_id": str(row["event_id"]),
                "content-type": "application/json",
            }
            # A producer span per record, child of the span that wrote the row; the record
            # carries the producer span's traceparent, so the consumer's span is its child. The
            # span ends once the record is handed to the producer: the batch's acknowledgement
            # is one wait for all, timed by the relay's metrics.
            with tracer.start_as_current_span(
                f"{row['topic']} publish",
                context=context_of(row["traceparent"]),
                kind=SpanKind.PRODUCER,
                attributes={
                    "messaging.system": "kafka",
                    "messaging.destination.name": row["topic"],
                    "messaging.message.id": str(row["event_id"]),
                    "xkld.event_type": row["event_type"],
                },
            ):
                if traceparent := current_traceparent() or row["traceparent"]:
                    headers[TRACEPARENT] = traceparent
                pending.append(
                    await producer.send(
                        row["topic"],
                        value=bytes(row["envelope"]),
                        key=row["partition_key"].encode(),
                        headers=encode_headers(headers),
                    )
                )
        await asyncio.gather(*pending)

    async def _mark_published(self, conn: Conn, ids: list[int]) -> None:
        await conn.execute(
            "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", ids
        )

    async def purge_published(self) -> int:
        result = await self._pool.execute(
            """DELETE FROM outbox WHERE published_at IS NOT NULL
               AND published_at < now() - make_interval(days => $1)""",
            self._keep_days,
        )
        return int(result.split()[-1])

    async def run(self) -> None:
        """Publish until `stop()`; finishes the pass in progress before returning."""
        await self._wakeup.start()
        backoff, last_purge = 0.5, 0.0
        loop = asyncio.get_running_loop()
        try:
            while not self._stopping.is_set():
                try:
                    published = await self.publish_pending()
                    backoff = 0.5
                except Exception as exc:  # any failure: roll back, rebuild, retry
                    log.warning("outbox relay pass failed; retrying", extra={"error": repr(exc)})
                    await self._reset_producer()
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, 10.0)
                    continue
                if loop.time() - last_purge > _PURGE_EVERY_SECONDS:
                    await self.purge_published()
                    last_purge = loop.time()
                if published < self._batch_size:
                    await self._sleep(self._poll_seconds)
                    await self._linger()
        finally:
            await self._wakeup.close()
            await self._reset_producer()

    def stop(self) -> None:
        self._stopping.set()
        self._wakeup.wake()

    async def _linger(self) -> None:
        """After a wake-up, let more commits arrive: one pass then publishes many of them.

        Every commit notifies; under load a relay would otherwise run a pass (a transaction,
        a Kafka round trip) for every few events, and replicas would wake together for the
        same rows. A few tens of milliseconds of delay buys far fewer passes."""
        if self._linger_seconds > 0 and not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._linger_seconds)

    async def _sleep(self, seconds: float) -> None:
        """Wait for a NOTIFY, a stop, or the poll interval (the fallback if NOTIFY is lost)."""
        await self._wakeup.wait(seconds)

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._producer_factory()
            await producer.start()
            self._producer = producer
        return self._producer

    async def _reset_producer(self) -> None:
        # After a broker outage aiokafka's idempotent producer can stay stuck on
        # OutOfOrderSequenceNumber; a fresh producer gets a fresh producer id.
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await producer.stop()
            except Exception:
                log.warning("closing the outbox producer failed", exc_info=True)
