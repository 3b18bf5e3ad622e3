"""OpenTelemetry tracing: one trace from an HTTP request through the outbox and Kafka to a
consumer's effects (and, in notifications, to the SMS provider call).

The W3C `traceparent` is the only thing carried: in the outbox row, in the Kafka record's
headers, in notifications' message row. Tracing is off unless the standard OTEL_* variables
ask for an exporter; then the API's no-op tracer makes every span here nearly free.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

log = logging.getLogger(__name__)

TRACEPARENT = "traceparent"
_propagator = TraceContextTextMapPropagator()
tracer = trace.get_tracer("xkld")


def exporter_requested(env: Mapping[str, str] = os.environ) -> bool:
    """True when the OTEL_* variables ask for OTLP export; tracing stays off otherwise."""
    chosen = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if chosen == "none" or env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if chosen == "otlp":
        return True
    return bool(
        env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


def configure_tracing(service: str) -> bool:
    """Installs the SDK with an OTLP (HTTP/protobuf) exporter if the environment asks for one.

    Everything else (endpoint, headers, sampler, batch sizes, resource attributes) comes from
    the standard OTEL_* variables, read by the SDK itself. OTEL_SERVICE_NAME, when set, wins
    over the service's own name."""
    if not exporter_requested():
        return False
    # Imported here: a process without an exporter never loads the SDK.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    attributes = {} if os.environ.get("OTEL_SERVICE_NAME") else {SERVICE_NAME: service}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    log.info("tracing exports by OTLP", extra={"service": service})
    return True


def current_traceparent() -> str | None:
    """The active span's `traceparent`, or None when no span is recording (tracing off)."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get(TRACEPARENT)


def context_of(traceparent: str | None) -> Context | None:
    """The remote parent a stored `traceparent` names; None starts a new trace."""
    if not traceparent:
        return None
    return _propagator.extract({TRACEPARENT: traceparent})


class _HeaderGetter(Getter[Iterable[tuple[str, bytes]]]):
    def get(self, carrier: Iterable[tuple[str, bytes]], key: str) -> list[str] | None:
        values = [v.decode("latin-1") for k, v in carrier if k.lower() == key and v is not None]
        return values or None

    def keys(self, carrier: Iterable[tuple[str, bytes]]) -> list[str]:
        return [k for k, _ in carrier]


_header_getter = _HeaderGetter()


def context_of_headers(headers: Iterable[tuple[str, bytes]] | None) -> Context | None:
    """The parent a Kafka record's headers carry, if any."""
    if not headers:
        return None
    return _propagator.extract(list(headers), getter=_header_getter)


def traceparent_of_headers(headers: Iterable[tuple[str, bytes]] | None) -> str | None:
    for name, value in headers or ():
        if name == TRACEPARENT and value:
            return value.decode("latin-1")
    return None


@contextmanager
def client_span(name: str, method: str, host: str) -> Iterator[dict[str, str]]:
    """A client span around an outgoing HTTP call; yields the headers that carry it on.

    Only the host is recorded: a provider's URL or body can hold credentials."""
    with tracer.start_as_current_span(
        name,
        kind=SpanKind.CLIENT,
        attributes={"http.request.method": method, "server.address": host},
    ):
        headers: dict[str, str] = {}
        _propagator.inject(headers)
        yield headers
