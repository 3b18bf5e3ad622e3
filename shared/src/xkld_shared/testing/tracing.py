"""Finished spans kept in memory, for tests that assert what a trace holds.

The global tracer provider can be set once per process, so the first caller installs an SDK
provider and every caller adds its own in-memory exporter to it, removed again at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


class _Switchable(SimpleSpanProcessor):
    """A processor that can be turned off: the SDK has no way to remove one."""

    active = True

    def on_end(self, span: ReadableSpan) -> None:
        if self.active:
            super().on_end(span)


def _sdk_provider() -> TracerProvider:
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = TracerProvider()
    trace.set_tracer_provider(provider)
    return provider


@contextmanager
def recorded_spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    processor = _Switchable(exporter)
    _sdk_provider().add_span_processor(processor)
    try:
        yield exporter
    finally:
        processor.active = False


__all__ = ["recorded_spans"]
