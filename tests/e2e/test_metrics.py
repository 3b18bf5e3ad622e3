"""Every service's /metrics, scraped from running processes: the named families are there, in
Prometheus' text format, and their values move after one registration goes through."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from xkld_shared.testing.http import local_client
from xkld_shared.testing.kafka import eventually
from xkld_shared.testing.system import System, identity_process, officer_of, registration_body

pytestmark = pytest.mark.timeout(600)

ALL = ("registration", "loans", "notifications", "reporting")
Labels = frozenset[tuple[str, str]]


class Scrape:
    def __init__(self, text: str) -> None:
        self.text = text
        self.samples: dict[str, dict[Labels, float]] = {}
        self.families: set[str] = set()
        for family in text_string_to_metric_families(text):
            self.families.add(family.name)
            for s in family.samples:
                self.samples.setdefault(s.name, {})[frozenset(s.labels.items())] = s.value

    def value(self, name: str, **labels: str) -> float:
        """The sum of the samples of `name` whose labels include `labels` (0 if none)."""
        wanted = set(labels.items())
        return sum(v for k, v in self.samples.get(name, {}).items() if wanted <= k)

    def has(self, name: str, **labels: str) -> bool:
        wanted = set(labels.items())
        return any(wanted <= k for k in self.samples.get(name, {}))


async def scrape(url: str) -> Scrape:
    async with local_client() as client:
        answer = await client.get(f"{url}/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return Scrape(answer.text)


async def moved(url: str, before: Scrape, name: str, **labels: str) -> Scrape | None:
    now = await scrape(url)
    return now if now.value(name, **labels) > before.value(name, **labels) else None


async def test_every_service_exposes_its_figures_and_they_move_after_a_registration(
    system: System, tmp_path: Path
) -> None:
    await system.start(ALL)
    system.processes["identity"] = identity = identity_process(system.namespace, tmp_path)
    await identity.start()
    urls = {name: system.url(name) for name in (*ALL, "identity")}
    before = {name: await scrape(url) for name, url in urls.items()}

    body = registration_body(commune_code="29800")
    async with local_client() as client:
        answer = await client.post(
            f"{urls['registration']}/registrations",
            json=body,
            headers=officer_of(system.namespace, "29800"),
        )
        assert answer.status_code == 201, answer.text
        for name in ("loans", "identity"):
            assert (await client.get(f"{urls[name]}/health")).status_code == 200

    async def moves(service: str, name: str, **labels: str) -> Scrape:
        after = await eventually(
            lambda: moved(urls[service], before[service], name, **labels), timeout=120
        )
        assert after is not None, f"{service}: {name}{labels} did not move"
        return after

    registration = await moves("registration", "xkld_registrations_total", step="submitted")
    assert (
        registration.value(
            "xkld_http_requests_total", method="POST", route="/registrations", status="201"
        )
        == 1
    )
    assert (
        registration.value("xkld_relay_published_events_total", event_type="RegistrationSubmitted")
        >= 1
    )
    assert registration.value("xkld_relay_publish_duration_seconds_count") >= 1
    assert registration.has("xkld_outbox_backlog_rows")
    assert registration.has("xkld_outbox_oldest_unpublished_age_seconds")

    notifications = await moves("notifications", "xkld_sms_messages_total", outcome="sent")
    assert notifications.value("xkld_sms_segments_total") >= 1
    assert (
        notifications.value(
            "xkld_consumer_events_total", consumer="notifications.registration", outcome="applied"
        )
        >= 1
    )
    assert notifications.value("faststream_received_messages_total", app_name="notifications") >= 1
    with_lag = await eventually(
        lambda: _with_lag(urls["notifications"], "notifications.registration"), timeout=60
    )
    assert with_lag is not None, system.processes["notifications"].logs()[-5000:]
    assert with_lag.value("xkld_consumer_lag_records", consumer="notifications.registration") >= 0

    reporting = await moves(
        "reporting", "xkld_reporting_projected_events_total", stream="registration"
    )
    lag_seconds = reporting.value("xkld_reporting_projection_lag_seconds", stream="registration")
    assert math.isfinite(lag_seconds)

    loans = await moves("loans", "xkld_consumer_events_total", consumer="loans.registration")
    assert loans.value("xkld_http_requests_total", route="/health", status="200") >= 1
    assert loans.has("xkld_loans_overdue")
    assert loans.has("xkld_loans_disbursed_total")

    await moves("identity", "xkld_http_requests_total", route="/health")

    dlq = await eventually(lambda: _with(urls["notifications"], "xkld_dlq_unreplayed_messages"))
    assert dlq is not None, "no dead-letter backlog sampled"
    assert dlq.value("xkld_dlq_unreplayed_messages") == 0

    scrapes = [await scrape(url) for url in urls.values()]
    shown = set().union(*(s.families | set(s.samples) for s in scrapes))
    missing = _dashboard_metrics() - shown
    assert not missing, f"dashboards query metrics no running service shows: {sorted(missing)}"

    personal = [str(body["cccd"]), str(body["phone"]), str(body["phone"])[1:], "Nguyễn"]
    for name, url in urls.items():
        text = (await scrape(url)).text
        assert not [p for p in personal if p in text], f"personal data in {name}'s /metrics"


async def _with_lag(url: str, consumer: str) -> Scrape | None:
    """A scrape once the consumer's partitions are assigned and their lag sampled."""
    now = await scrape(url)
    return now if now.has("xkld_consumer_lag_records", consumer=consumer) else None


async def _with(url: str, name: str) -> Scrape | None:
    now = await scrape(url)
    return now if now.has(name) else None


def _dashboard_metrics() -> set[str]:
    """Metric names the Grafana dashboards query, as families (a counter's name without
    `_total`, a histogram's without `_bucket`), the way the text parser names them."""
    grafana = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "dashboards"
    names = set()
    for path in grafana.glob("*.json"):
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                for name in re.findall(r"\b((?:xkld|faststream)_[a-z0-9_]+)\b", target["expr"]):
                    names.add(re.sub(r"_(total|bucket)$", "", name))
    return names
