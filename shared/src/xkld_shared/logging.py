"""Structured JSON logs that carry event, correlation and trace ids, never personal data."""

from __future__ import annotations

import contextvars
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.trace import get_current_span
from pythonjsonlogger.json import JsonFormatter

from xkld_shared.tracing import configure_tracing

_event_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("event_id", default=None)
_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.event_id = _event_id.get()
        record.correlation_id = _correlation_id.get()
        # The active span's ids, as the trace backend writes them (hex), to find a log's trace.
        span = get_current_span().get_span_context()
        record.trace_id = format(span.trace_id, "032x") if span.is_valid else None
        record.span_id = format(span.span_id, "016x") if span.is_valid else None
        return True


@contextmanager
def event_context(event_id: str | None, correlation_id: str) -> Iterator[None]:
    tokens = (_event_id.set(event_id), _correlation_id.set(correlation_id))
    try:
        yield
    finally:
        _event_id.reset(tokens[0])
        _correlation_id.reset(tokens[1])


def configure_logging(service: str, level: str = "INFO", json: bool = True) -> None:
    """The process's telemetry: JSON logs, and traces when the OTEL_* variables ask for them."""
    configure_tracing(service)
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_ContextFilter())
    if json:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(event_id)s %(correlation_id)s"
                " %(trace_id)s %(span_id)s",
                static_fields={"service": service},
                timestamp=True,
            )
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiokafka is chatty at INFO about every rebalance; warnings are what operators need.
    logging.getLogger("aiokafka").setLevel(logging.WARNING)


def current_correlation_id() -> str | None:
    """The correlation id of the request or event being handled, if any."""
    return _correlation_id.get()
