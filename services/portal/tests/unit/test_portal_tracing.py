"""The portal starts the trace: each call to a service carries the page's trace onward."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from opentelemetry.trace import SpanKind
from xkld_portal.adapters.backend import HttpApi
from xkld_portal.application.ports import Service
from xkld_shared.testing.tracing import recorded_spans
from xkld_shared.tracing import tracer


@pytest.fixture
async def service() -> AsyncIterator[tuple[str, list[str | None]]]:
    """A real HTTP server on a free local port, noting each request's `traceparent`."""
    seen: list[str | None] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append(request.headers.get("traceparent"))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_get("/registrations/{id}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}", seen
    await runner.cleanup()


async def test_a_call_to_a_service_carries_the_pages_trace_in_its_traceparent(
    service: tuple[str, list[str | None]],
) -> None:
    url, seen = service
    api = HttpApi({Service.REGISTRATION: url}, 5.0)
    with (
        recorded_spans() as spans,
        tracer.start_as_current_span("GET /files", kind=SpanKind.SERVER) as page,
    ):
        assert await api.get(Service.REGISTRATION, "/registrations/abc", token="t") == {"ok": True}
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
