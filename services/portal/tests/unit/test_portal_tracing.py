"""The portal starts the trace: each call to a service carries the page's trace onward."""

from __future__ import annotations

import httpx
from opentelemetry.trace import SpanKind
from xkld_portal.adapters.backend import HttpApi
from xkld_portal.application.ports import Service
from xkld_shared.testing.tracing import recorded_spans
from xkld_shared.tracing import tracer


async def test_a_call_to_a_service_carries_the_pages_trace_in_its_traceparent() -> None:
    seen: list[str | None] = []

    def service(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("traceparent"))
        return httpx.Response(200, json={"ok": True})

    api = HttpApi({Service.REGISTRATION: "http://registration"}, 5.0, httpx.MockTransport(service))
    with (
        recorded_spans() as spans,
        tracer.start_as_current_span("GET /files", kind=SpanKind.SERVER) as page,
    ):
        await api.get(Service.REGISTRATION, "/registrations/abc", token="t")
    await api.close()
    page_trace = format(page.get_span_context().trace_id, "032x")
    (client,) = [s for s in spans.get_finished_spans() if s.kind == SpanKind.CLIENT]
    assert seen[0] is not None
    _, trace_id, span_id, _ = seen[0].split("-")
    assert trace_id == page_trace
    assert client.context is not None
    assert span_id == format(client.context.span_id, "016x")
    assert client.name == "GET registration"  # never the path, which holds an id
    assert client.parent is not None
    assert client.parent.span_id == page.get_span_context().span_id
