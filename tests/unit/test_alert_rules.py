"""The alert rules (deploy/prometheus) are valid and behave as their unit tests say, checked by
Prometheus' own promtool (Debian's `prometheus` package, installed by scripts/test)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

PROMETHEUS = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    assert tool is not None, "promtool is missing: apt-get install prometheus (scripts/test does)"
    return subprocess.run(
        [tool, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_alert_rules_pass_promtool_check() -> None:
    checked = _promtool("check", "rules", "alerts.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_alert_rules_pass_their_promtool_unit_tests() -> None:
    tested = _promtool("test", "rules", "alerts_test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout + tested.stderr


def test_the_scrape_configuration_is_valid_and_loads_the_rules() -> None:
    checked = _promtool("check", "config", "prometheus.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "alerts.yml" in checked.stdout + checked.stderr


def test_every_alert_the_issue_asks_for_is_defined() -> None:
    rules = (PROMETHEUS / "alerts.yml").read_text()
    for alert in (
        "OutboxRowWaiting",
        "DeadLettersWaiting",
        "ConsumerLagGrowing",
        "SmsFailureRateHigh",
        "ProjectionLagging",
        "HttpServerErrors",
    ):
        assert f"alert: {alert}" in rules
        assert f"alertname: {alert}" in (PROMETHEUS / "alerts_test.yml").read_text()
