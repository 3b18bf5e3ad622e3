"""The trace crosses the outbox and Kafka: the writer's span is stored with the row, the relay's
producer span is its child and travels in the record's headers, and the consumer's span is the
child of that."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, get_current_span
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.topics import Stream
from xkld_shared.db.pool import Conn, create_pool
from xkld_shared.messaging.consumer import Handler
from xkld_shared.messaging.kafka import make_idempotent_producer
from xkld_shared.messaging.outbox import add_to_outbox
from xkld_shared.messaging.relay import OutboxRelay
from xkld_shared.runtime import ServiceRuntime
from xkld_shared.settings import ServiceSettings
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.kafka import eventually, read_all, submitted
from xkld_shared.testing.tracing import recorded_spans
from xkld_shared.tracing import current_traceparent, traceparent_of_headers, tracer


@asynccontextmanager
async def consuming(ns: Namespace, handlers: Mapping[str, Handler]) -> AsyncIterator[None]:
    settings = ServiceSettings(
        database_url=ns.dsn("loans"),
        kafka_bootstrap=ns.infra.kafka_bootstrap,
        topic_prefix=ns.prefix,
    )
    runtime = ServiceRuntime("t", settings)
    await runtime.open_pool()
    await runtime.add_consumer(Stream.REGISTRATION, handlers)
    await runtime.start_messaging()
    try:
        yield
    finally:
        await runtime.stop()


def _ids(traceparent: str | None) -> tuple[str, str]:
    """Trace and span id of a traceparent (its flags may mark the trace id as random)."""
    assert traceparent is not None
    _version, trace_id, span_id, _flags = traceparent.split("-")
    return trace_id, span_id


def _hex(span_id: int) -> str:
    return format(span_id, "016x")


def _one(spans: tuple[ReadableSpan, ...], kind: SpanKind) -> ReadableSpan:
    (span,) = [s for s in spans if s.kind is kind]
    return span


async def _write_and_publish(ns: Namespace, topic: str, event: Envelope) -> str | None:
    """Writes the event inside a request-like span, relays it; returns the row's traceparent."""
    pool = await create_pool(ns.dsn("loans"))
    try:
        with tracer.start_as_current_span("POST /something", kind=SpanKind.SERVER):
            async with pool.acquire() as conn, conn.transaction():
                await add_to_outbox(conn, topic, [event])
        stored: str | None = await pool.fetchval(
            "SELECT traceparent FROM outbox WHERE event_id = $1", event.event_id
        )
        bootstrap = ns.infra.kafka_bootstrap
        relay = OutboxRelay(pool, lambda: make_idempotent_producer(bootstrap, client_id="t"))
        try:
            assert await relay.publish_pending() == 1
        finally:
            await relay._reset_producer()  # closes its Kafka producer
        return stored
    finally:
        await pool.close()


async def test_the_traceparent_goes_from_the_outbox_row_to_the_kafka_headers(
    namespace: Namespace,
) -> None:
    topic = namespace.topics.of(Stream.REGISTRATION)
    event = submitted()
    with recorded_spans() as spans:
        stored = await _write_and_publish(namespace, topic, event)
        finished = spans.get_finished_spans()
    (record,) = await read_all(namespace.infra.kafka_bootstrap, topic, expected=1)
    writer, producer = _one(finished, SpanKind.SERVER), _one(finished, SpanKind.PRODUCER)
    trace_hex = format(writer.context.trace_id, "032x")
    assert _ids(stored) == (trace_hex, _hex(writer.context.span_id))
    assert producer.parent is not None
    assert producer.parent.span_id == writer.context.span_id
    assert producer.context.trace_id == writer.context.trace_id
    assert _ids(traceparent_of_headers(record.headers)) == (
        trace_hex,
        _hex(producer.context.span_id),
    )


async def test_a_row_written_outside_any_span_stores_no_traceparent(namespace: Namespace) -> None:
    pool = await create_pool(namespace.dsn("loans"))
    try:
        event = submitted()
        async with pool.acquire() as conn, conn.transaction():
            await add_to_outbox(conn, namespace.topics.of(Stream.REGISTRATION), [event])
        stored = await pool.fetchval(
            "SELECT traceparent FROM outbox WHERE event_id = $1", event.event_id
        )
    finally:
        await pool.close()
    assert stored is None


async def test_the_consumers_handler_runs_in_a_child_of_the_relays_publish(
    namespace: Namespace,
) -> None:
    topic = namespace.topics.of(Stream.REGISTRATION)
    seen: list[str | None] = []

    async def handler(conn: Conn, envelope: Envelope, event: EventPayload) -> None:
        assert get_current_span().is_recording()
        seen.append(current_traceparent())

    with recorded_spans() as spans:
        await _write_and_publish(namespace, topic, submitted())
        async with consuming(namespace, {"RegistrationSubmitted": handler}):

            async def handled() -> bool:
                return bool(seen)

            assert await eventually(handled)
        finished = spans.get_finished_spans()
    producer, consumer = _one(finished, SpanKind.PRODUCER), _one(finished, SpanKind.CONSUMER)
    assert consumer.parent is not None
    assert consumer.parent.span_id == producer.context.span_id
    assert consumer.context.trace_id == producer.context.trace_id
    assert [_ids(t) for t in seen] == [
        (format(consumer.context.trace_id, "032x"), _hex(consumer.context.span_id))
    ]
