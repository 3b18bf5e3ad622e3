"""Tracing without infrastructure: the switch, the server span, the consumer span's parent and
the trace ids in the logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any, cast

import httpx
import pytest
from aiokafka.structs import ConsumerRecord
from opentelemetry.trace import SpanKind
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from xkld_shared.contracts.envelope import Envelope, EventPayload
from xkld_shared.contracts.registry import default_registry
from xkld_shared.db.pool import Conn
from xkld_shared.http.tracing import TracingMiddleware
from xkld_shared.logging import configure_logging
from xkld_shared.messaging.consumer import Decoded, HandlerApplier, consumer_span
from xkld_shared.testing.http import local_client
from xkld_shared.testing.kafka import submitted
from xkld_shared.testing.tracing import recorded_spans
from xkld_shared.tracing import (
    configure_tracing,
    current_traceparent,
    exporter_requested,
    traceparent_of_headers,
    tracer,
)

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"


def test_tracing_is_off_unless_the_otel_variables_ask_for_an_exporter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert not exporter_requested({})
    assert not exporter_requested({"OTEL_SERVICE_NAME": "registration"})
    assert exporter_requested({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})
    assert exporter_requested({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"})
    assert exporter_requested({"OTEL_TRACES_EXPORTER": "otlp"})
    assert not exporter_requested(
        {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}
    )
    assert not exporter_requested(
        {"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}
    )
    for name in ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    assert configure_tracing("registration") is False


def _app() -> Starlette:
    async def show(request: Request) -> PlainTextResponse:
        return PlainTextResponse(current_traceparent() or "")

    return Starlette(routes=[Route("/registrations/{rid}", show)])


async def test_a_request_gets_a_server_span_that_continues_the_callers_traceparent() -> None:
    app = TracingMiddleware(_app())
    incoming = f"00-{CALLER_TRACE}-{CALLER_SPAN}-01"
    with recorded_spans() as spans:
        async with local_client(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as client:
            answer = await client.get("/registrations/42", headers={"traceparent": incoming})
    (server,) = [s for s in spans.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert server.name == "GET /registrations/{rid}"  # the template, never the raw path
    assert format(server.context.trace_id, "032x") == CALLER_TRACE
    assert server.parent is not None
    assert format(server.parent.span_id, "016x") == CALLER_SPAN
    assert server.attributes is not None
    assert server.attributes["http.response.status_code"] == 200
    # Inside the request, the active span is the server span: what the outbox would store.
    assert answer.text == f"00-{CALLER_TRACE}-{format(server.context.span_id, '016x')}-01"


def _record(headers: list[tuple[str, bytes]]) -> Decoded:
    envelope = submitted()
    record = ConsumerRecord(
        topic="x.registration",
        partition=3,
        offset=17,
        timestamp=0,
        timestamp_type=0,
        key=envelope.partition_key,
        value=envelope.to_bytes(),
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        headers=headers,
    )
    return Decoded(record, envelope, default_registry().payload_of(envelope))


def test_a_consumer_span_is_the_child_of_the_span_the_record_carries() -> None:
    with recorded_spans() as spans:
        with tracer.start_as_current_span("x.registration publish", kind=SpanKind.PRODUCER):
            traceparent = current_traceparent()
        assert traceparent is not None
        headers = [("event_type", b"RegistrationSubmitted"), ("traceparent", traceparent.encode())]
        assert traceparent_of_headers(headers) == traceparent
        with consumer_span(_record(headers)):
            pass
        producer, consumer = spans.get_finished_spans()
    assert consumer.kind is SpanKind.CONSUMER
    assert consumer.context.trace_id == producer.context.trace_id
    assert consumer.parent is not None
    assert consumer.parent.span_id == producer.context.span_id
    assert consumer.attributes is not None
    assert consumer.attributes["messaging.kafka.message.offset"] == 17


class _FreshInbox:
    """Just enough of a connection for the inbox claim: every event is new."""

    def is_in_transaction(self) -> bool:
        return True

    async def fetch(self, query: str, *args: Any) -> list[dict[str, Any]]:
        return [{"event_id": event_id} for event_id in args[1]]


async def test_a_batch_handlers_span_links_to_each_events_producer() -> None:
    handled: list[int] = []

    async def count(conn: Conn, events: Sequence[tuple[Envelope, EventPayload]]) -> None:
        handled.append(len(events))

    applier = HandlerApplier("t", {}, {"RegistrationSubmitted": count})
    with recorded_spans() as spans:
        parents = []
        for _ in range(2):
            with tracer.start_as_current_span("publish", kind=SpanKind.PRODUCER):
                parents.append(current_traceparent() or "")
        batch = [_record([("traceparent", p.encode())]) for p in parents]
        await applier.apply(cast(Conn, _FreshInbox()), batch)
        *producers, processing = spans.get_finished_spans()
    assert handled == [2]
    assert processing.name == "RegistrationSubmitted process batch"
    assert {link.context.span_id for link in processing.links} == {
        p.context.span_id for p in producers
    }


def test_a_record_without_a_traceparent_starts_its_own_trace() -> None:
    with recorded_spans() as spans:
        with consumer_span(_record([("event_type", b"RegistrationSubmitted")])):
            pass
        (consumer,) = spans.get_finished_spans()
    assert consumer.parent is None


def test_json_logs_carry_the_trace_and_span_ids_of_the_active_span(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("registration")
        with recorded_spans(), tracer.start_as_current_span("work") as span:
            logging.getLogger("xkld.test").info("inside a span")
            ids = span.get_span_context()
        logging.getLogger("xkld.test").info("outside any span")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    inside, outside = [json.loads(line) for line in capsys.readouterr().err.splitlines()[-2:]]
    assert inside["trace_id"] == format(ids.trace_id, "032x")
    assert inside["span_id"] == format(ids.span_id, "016x")
    assert outside["trace_id"] is None
    assert outside["span_id"] is None
