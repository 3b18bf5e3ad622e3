"""HTTP figures by route template: ids and personal data in a path never become a label."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from xkld_shared.metrics import ServiceMetrics
from xkld_shared.metrics.http import HttpMetrics, metrics_router
from xkld_shared.testing.http import local_client


def _app(metrics: ServiceMetrics) -> FastAPI:
    app = FastAPI()

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @app.get("/broken")
    async def broken() -> None:
        raise RuntimeError("boom")

    app.include_router(metrics_router(metrics))
    app.add_middleware(HttpMetrics, metrics=metrics)
    return app


def _samples(text: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


async def _scrape(app: FastAPI, *paths: str) -> str:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with local_client(transport=transport, base_url="http://svc") as client:
        for path in paths:
            await client.get(path)
        answer = await client.get("/metrics")
    assert answer.headers["content-type"].startswith("text/plain")
    return answer.text


async def test_requests_are_counted_by_route_template_never_by_raw_path() -> None:
    text = await _scrape(_app(ServiceMetrics("t")), "/things/0912345678", "/things/086200123456")
    requests = _samples(text, "xkld_http_requests_total")
    key = (("method", "GET"), ("route", "/things/{thing_id}"), ("status", "200"))
    assert requests[key] == 2
    assert "0912345678" not in text
    assert "086200123456" not in text
    durations = _samples(text, "xkld_http_request_duration_seconds_count")
    assert durations[(("method", "GET"), ("route", "/things/{thing_id}"))] == 2


async def test_an_unknown_path_and_a_crash_are_counted_as_404_unmatched_and_500() -> None:
    text = await _scrape(_app(ServiceMetrics("t")), "/nothing/here/0912345678", "/broken")
    requests = _samples(text, "xkld_http_requests_total")
    assert requests[(("method", "GET"), ("route", "unmatched"), ("status", "404"))] == 1
    assert requests[(("method", "GET"), ("route", "/broken"), ("status", "500"))] == 1
    assert "0912345678" not in text


async def test_two_apps_in_one_process_keep_their_own_figures() -> None:
    first, second = ServiceMetrics("a"), ServiceMetrics("b")
    await _scrape(_app(first), "/things/1")
    text = await _scrape(_app(second))
    requests = _samples(text, "xkld_http_requests_total")
    assert (("method", "GET"), ("route", "/things/{thing_id}"), ("status", "200")) not in requests


async def test_a_failing_sampler_leaves_the_other_figures_readable() -> None:
    metrics = ServiceMetrics("t")

    async def broken() -> None:
        raise OSError("database away")

    metrics.add_sampler(broken)
    metrics.outbox_backlog.set(3)
    text = (await metrics.exposition()).decode()
    assert _samples(text, "xkld_outbox_backlog_rows") == {(): 3}
