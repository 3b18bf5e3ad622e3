"""Applying events idempotently, a batch per transaction, with bounded retries and dead letters.

Offsets are committed by the subscriber only after `handle` returns, that is after the effects
and their inbox rows have committed. `handle` never returns with a record neither applied nor
dead-lettered: either it succeeds, or it raises `ConsumerStopping` and the caller rewinds.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Protocol

import asyncpg
from aiokafka.structs import ConsumerRecord
from opentelemetry.trace import Link, Span, SpanKind, get_current_span

from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.registry import EventRegistry
from xkld_shared.db.pool import Conn
from xkld_shared.logging import event_context
from xkld_shared.messaging.dead_letters import DeadLetters
from xkld_shared.messaging.inbox import claim_events
from xkld_shared.tracing import context_of_headers, tracer

log = logging.getLogger(__name__)

Handler = Callable[[Conn, Envelope, EventPayload], Awaitable[None]]
# For effects whose order does not matter (counting projections): all of a batch's fresh events
# of one type in one call, so a batch costs one statement instead of one per event.
BatchHandler = Callable[[Conn, Sequence[tuple[Envelope, EventPayload]]], Awaitable[None]]
Record = ConsumerRecord[bytes, bytes]
# Told how many records met an outcome (applied, duplicates, skipped_unknown, failed,
# dead_lettered): the service's metrics count them.
OutcomeCounter = Callable[[str, int], None]


def _uncounted(outcome: str, count: int) -> None:
    return None


# Errors that mean "the database is not there right now": retrying forever is right, and
# dead-lettering would throw away good messages.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.ConnectionDoesNotExistError,
)


class ConsumerStopping(Exception):
    """Shutdown came while waiting for the database; the batch must be fetched again."""


@dataclass(frozen=True)
class Decoded:
    record: Record
    envelope: Envelope
    payload: EventPayload


@dataclass
class ConsumerStats:
    applied: int = 0
    duplicates: int = 0
    skipped_unknown: int = 0
    dead_lettered: int = 0
    skipped_by_type: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Applied:
    """What one batch's transaction did: events applied, and redeliveries it recognised."""

    applied: int
    duplicates: int


class Applier(Protocol):
    """The one extension point of a consumer: how a batch of decoded events takes effect.

    `apply` runs in one transaction that claims the events' ids in an inbox and makes their
    effects, so a batch lands whole or not at all. Decoding, retries and dead letters stay in
    `EventConsumer`.
    """

    @property
    def event_types(self) -> frozenset[str]:
        """The event types it applies; the consumer skips every other type."""
        ...

    async def apply(self, conn: Conn, batch: Sequence[Decoded]) -> Applied: ...


class HandlerApplier:
    """The default: one handler per event type, called in arrival order, or one batch handler
    per type for effects whose order does not matter; claims in the shared inbox."""

    def __init__(
        self,
        inbox_name: str,
        handlers: Mapping[str, Handler],
        batch_handlers: Mapping[str, BatchHandler] | None = None,
    ) -> None:
        self._inbox_name = inbox_name
        self._handlers = dict(handlers)
        self._batch_handlers = dict(batch_handlers or {})

    @property
    def event_types(self) -> frozenset[str]:
        return frozenset(self._handlers) | frozenset(self._batch_handlers)

    async def apply(self, conn: Conn, batch: Sequence[Decoded]) -> Applied:
        fresh = await claim_events(
            conn, self._inbox_name, [(d.envelope.event_id, d.envelope.event_type) for d in batch]
        )
        applied: set[uuid.UUID] = set()
        grouped: dict[str, list[tuple[Envelope, EventPayload]]] = {}
        for d in batch:
            if d.envelope.event_id not in fresh or d.envelope.event_id in applied:
                continue
            applied.add(d.envelope.event_id)
            if d.envelope.event_type in self._batch_handlers:
                grouped.setdefault(d.envelope.event_type, []).append((d.envelope, d.payload))
                continue
            with (
                consumer_span(d),
                event_context(str(d.envelope.event_id), str(d.envelope.correlation_id)),
            ):
                await self._handlers[d.envelope.event_type](conn, d.envelope, d.payload)
        for event_type, events in grouped.items():
            with tracer.start_as_current_span(
                f"{event_type} process batch", kind=SpanKind.CONSUMER
            ) as span:
                if span.is_recording():  # reading every record's header costs nothing when off
                    for link in _links(batch, events):
                        span.add_link(link.context)
                await self._batch_handlers[event_type](conn, events)
        return Applied(len(applied), len(batch) - len(applied))


def consumer_span(d: Decoded) -> AbstractContextManager[Span]:
    """The span an event's handler runs in: a child of the producer span whose traceparent the
    record carries, so the trace goes on from the request that caused the event."""
    return tracer.start_as_current_span(
        f"{d.record.topic} process",
        context=context_of_headers(d.record.headers),
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": d.record.topic,
            "messaging.kafka.destination.partition": d.record.partition,
            "messaging.kafka.message.offset": d.record.offset,
            "messaging.message.id": str(d.envelope.event_id),
            "xkld.event_type": d.envelope.event_type,
        },
    )


def _links(batch: Sequence[Decoded], events: Sequence[tuple[Envelope, EventPayload]]) -> list[Link]:
    """A batch handler serves many traces at once: its span links to each event's producer."""
    ids = {e.event_id for e, _ in events}
    links = []
    for d in batch:
        if d.envelope.event_id in ids and (parent := context_of_headers(d.record.headers)):
            context = get_current_span(parent).get_span_context()
            if context.is_valid:
                links.append(Link(context))
    return links


class EventConsumer:
    def __init__(
        self,
        *,
        name: str,
        pool: asyncpg.Pool,
        registry: EventRegistry,
        applier: Applier,
        dead_letters: DeadLetters,
        max_attempts: int = 5,
        retry_base_seconds: float = 0.2,
        count: OutcomeCounter = _uncounted,
    ) -> None:
        self.name = name
        self._count = count
        self._pool = pool
        self._registry = registry
        self._applier = applier
        self._known = applier.event_types
        self._dead_letters = dead_letters
        self._max_attempts = max_attempts
        self._retry_base = retry_base_seconds
        self._stopping = asyncio.Event()
        self.stats = ConsumerStats()

    def stop(self) -> None:
        self._stopping.set()

    async def handle(self, records: Sequence[Record]) -> None:
        decoded = [d for d in [await self._decode(r) for r in records] if d is not None]
        if not decoded:
            return
        try:
            await self._with_retries(lambda: self._apply(decoded), len(decoded))
        except ConsumerStopping:
            raise
        except Exception as exc:
            if len(decoded) == 1:
                await self._dead_letter(decoded[0].record, exc, self._max_attempts)
                return
            # Find the poison: one transaction per record, so the good ones still land.
            for one in decoded:
                await self.handle([one.record])

    async def _decode(self, record: Record) -> Decoded | None:
        try:
            envelope = Envelope.from_bytes(record.value or b"")
            if envelope.event_type not in self._known:
                self._count_skipped(envelope.event_type)
                return None
            payload = self._registry.payload_of(envelope)
        except Exception as exc:  # invalid JSON, wrong schema, missing upcaster
            await self._dead_letter(record, exc, attempts=1)
            return None
        return Decoded(record, envelope, payload)

    async def _apply(self, batch: Sequence[Decoded]) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            done = await self._applier.apply(conn, batch)
        self.stats.applied += done.applied
        self.stats.duplicates += done.duplicates
        self._count("applied", done.applied)
        self._count("duplicates", done.duplicates)

    async def _with_retries(self, attempt: Callable[[], Awaitable[None]], records: int) -> None:
        failures, waits = 0, 0
        while True:
            try:
                await attempt()
                return
            except _UNAVAILABLE:
                if self._stopping.is_set():
                    raise ConsumerStopping from None
                waits += 1
                log.warning("database unavailable; waiting before retrying", exc_info=True)
                await self._pause(min(self._retry_base * 2**waits, 5.0))
            except Exception:
                failures += 1
                self._count("failed", records)
                if failures >= self._max_attempts:
                    raise
                log.warning("event handling failed; retrying", exc_info=True)
                await self._pause(self._retry_base * 2 ** (failures - 1))

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            return
        raise ConsumerStopping

    async def _dead_letter(self, record: Record, exc: BaseException, attempts: int) -> None:
        await self._dead_letters.send(record, exc, attempts)
        self.stats.dead_lettered += 1
        self._count("dead_lettered", 1)

    def _count_skipped(self, event_type: str) -> None:
        self.stats.skipped_unknown += 1
        self._count("skipped_unknown", 1)
        by_type = self.stats.skipped_by_type
        by_type[event_type] = by_type.get(event_type, 0) + 1
