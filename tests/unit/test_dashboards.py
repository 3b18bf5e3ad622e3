"""The Grafana dashboards (deploy/grafana) parse, are provisioned, and query only metrics that
the services register (built here as the services build them, without starting them)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, cast

import asyncpg
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from xkld_loans.entrypoints.metrics import add_loan_metrics
from xkld_notifications.entrypoints.metrics import add_sms_metrics
from xkld_registration.entrypoints.metrics import add_programme_metrics
from xkld_reporting.entrypoints.metrics import add_projection_metrics
from xkld_shared.metrics import ServiceMetrics
from xkld_shared.metrics.dead_letters import DeadLetterBacklog

GRAFANA = Path(__file__).resolve().parents[2] / "deploy" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
METRIC = re.compile(r"\b((?:xkld|faststream)_[a-z0-9_]+)\b")
SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_sum", "_count")}


def _panels(path: Path) -> list[dict[str, Any]]:
    dashboard = json.loads(path.read_text())
    panels: list[dict[str, Any]] = dashboard["panels"]
    return panels


def _queried(path: Path) -> set[str]:
    return {
        name
        for panel in _panels(path)
        for target in panel["targets"]
        for name in METRIC.findall(target["expr"])
    }


def _exposed() -> set[str]:
    """Every series name a service process can show, from registries built as at start-up."""
    pool = cast(asyncpg.Pool, None)  # samplers are built, never run
    metrics = ServiceMetrics("all")
    add_programme_metrics(metrics)
    add_sms_metrics(metrics)
    add_loan_metrics(metrics, pool)
    add_projection_metrics(metrics, pool)
    DeadLetterBacklog(metrics, "127.0.0.1:9", ["xkld.registration.dlq"])
    KafkaPrometheusMiddleware(registry=metrics.registry, app_name="all")
    names = set()
    for family in metrics.registry.collect():
        names.add(family.name)
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ()))
    return names


def test_there_is_a_programme_view_and_a_machinery_view() -> None:
    uids = {json.loads(p.read_text())["uid"] for p in DASHBOARDS}
    assert uids == {"xkld-programme", "xkld-machinery"}


def test_every_panel_queries_the_provisioned_prometheus() -> None:
    datasources = (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    assert "uid: xkld-prometheus" in datasources
    for path in DASHBOARDS:
        for panel in _panels(path):
            assert panel["targets"], f"{path.name}: {panel['title']} has no query"
            for target in panel["targets"]:
                assert target["datasource"]["uid"] == "xkld-prometheus"
                assert target["expr"].strip()


def test_the_dashboards_are_provisioned_from_their_directory() -> None:
    provider = (GRAFANA / "provisioning" / "dashboards" / "xkld.yml").read_text()
    assert "type: file" in provider
    assert "path: /var/lib/grafana/dashboards/xkld" in provider


def test_every_metric_a_dashboard_queries_is_one_the_services_expose() -> None:
    exposed = _exposed()
    for path in DASHBOARDS:
        queried = _queried(path)
        assert queried, f"{path.name} queries no metric"
        assert queried <= exposed, f"{path.name}: unknown {sorted(queried - exposed)}"


def test_the_programme_view_shows_registrations_departures_loans_and_sms() -> None:
    [programme] = [p for p in DASHBOARDS if p.name == "xkld-programme.json"]
    text = programme.read_text()
    for wanted in (
        'step=\\"submitted\\"',
        'step=\\"departed\\"',
        "xkld_loans_disbursed_total",
        "xkld_sms_messages_total",
    ):
        assert wanted in text
