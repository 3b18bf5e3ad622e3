"""The portal's /metrics: open, Prometheus text, HTTP figures by route template."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from xkld_portal.bootstrap import create_app
from xkld_portal.settings import PortalSettings
from xkld_shared.crypto import generate_key
from xkld_shared.identity.tokens import SigningKey, jwks_of


def _requests(text: str) -> dict[tuple[str, str, str], float]:
    return {
        (s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "xkld_http_requests_total"
    }


def test_the_portal_counts_its_pages_by_template_at_an_open_metrics_endpoint() -> None:
    settings = PortalSettings(
        portal_session_key=generate_key(),
        portal_cookie_secure=False,
        auth_jwks=json.dumps(jwks_of([SigningKey.generate()])),
        log_json=False,
    )
    with TestClient(create_app(settings)) as http:
        before = _requests(http.get("/metrics").text)
        assert http.get("/login").status_code == 200
        http.get("/health")
        answer = http.get("/metrics")  # no session cookie: open, like /health
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    after = _requests(answer.text)
    assert before.get(("GET", "/login", "200"), 0) == 0
    assert after[("GET", "/login", "200")] == 1
    assert after[("GET", "/health", "200")] == 1
