"""The campaign broadcasts' channel report: notifications' figures per channel, the days
passed on, a refused range shown in place, downloads passed through, and officers only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from xkld_portal.application.errors import Refusal

from .rural_portal import StandIn, portal_with, signed_in

REPORT = {
    "from": "2026-11-01",
    "to": "2026-11-30",
    "channels": [
        {"channel": "sms", "sent": 40, "delivered": 37, "failed": 3, "cost_vnd": 31500,
         "fallbacks": 12, "no_account": 0},
        {"channel": "zalo", "sent": 60, "delivered": 48, "failed": 12, "cost_vnd": 14400,
         "fallbacks": 0, "no_account": 9},
        {"channel": "suppressed", "sent": 0, "delivered": 0, "failed": 0, "cost_vnd": 0,
         "fallbacks": 0, "no_account": 0},
    ],
}  # fmt: skip


class Notifications(StandIn):
    async def raw(self, service: Any, path: str, **kw: Any) -> tuple[bytes, str]:
        self.gets.append((path, kw.get("params")))
        return b"\xef\xbb\xbfKenh;Da gui\r\nSMS;40\r\n", "text/csv"


@pytest.fixture
def portal() -> Iterator[tuple[TestClient, Notifications]]:
    for http, _ in portal_with({"/sms/channel-report": REPORT}):
        stand_in = Notifications({"/sms/channel-report": REPORT})
        http.app.state.portal.api = stand_in  # type: ignore[attr-defined]
        yield http, stand_in


def test_the_officer_reads_each_channel_s_figures_and_cost_for_the_days_asked(
    portal: tuple[TestClient, Notifications],
) -> None:
    http, stand_in = portal
    page = signed_in(http, "canbo").get("/campaign-channels?from=2026-11-01&to=2026-11-30")
    assert page.status_code == 200, page.text[:2000]
    assert stand_in.gets == [("/sms/channel-report", {"from": "2026-11-01", "to": "2026-11-30"})]
    assert "Kênh gửi tin chiến dịch" in page.text
    zalo = page.text[page.text.index('data-channel="zalo"') :].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in zalo.split("<td>")[1:]] == [
        "60", "48", "12", "14.400 ₫", "0", "9",
    ]  # fmt: skip
    assert 'href="/campaign-channels.xlsx?from=2026-11-01&amp;to=2026-11-30"' in page.text
    not_sent = page.text[page.text.index('data-channel="suppressed"') :].split("</th>")[0]
    assert not_sent.endswith(">Không gửi")  # named in words, not by notifications' code
    for name in ("channels-from", "channels-to"):
        assert f'<label for="{name}">' in page.text


def test_a_range_notifications_refuses_is_shown_in_place_in_vietnamese(
    portal: tuple[TestClient, Notifications],
) -> None:
    http, stand_in = portal
    said = ("Khoảng ngày không hợp lệ", "Bad date range")
    stand_in.refuse_get["/sms/channel-report"] = Refusal(422, *said, {"to": said})
    page = signed_in(http, "laodong").get("/campaign-channels?from=2026-12-01&to=2026-01-01")
    assert page.status_code == 422
    assert 'role="alert"' in page.text
    assert "Khoảng ngày không hợp lệ" in page.text


def test_the_download_passes_notifications_file_on_with_the_days_and_its_format(
    portal: tuple[TestClient, Notifications],
) -> None:
    http, stand_in = portal
    answer = signed_in(http, "canbo").get("/campaign-channels.csv?from=2026-11-01")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert stand_in.gets[-1] == ("/sms/channel-report", {"from": "2026-11-01", "format": "csv"})
    assert signed_in(http, "canbo").get("/campaign-channels.pdf").status_code == 404


@pytest.mark.parametrize("who", ["baocao", "daotao", "tindung"])
def test_no_other_role_reads_the_channel_report(
    portal: tuple[TestClient, Notifications], who: str
) -> None:
    http, stand_in = portal
    assert signed_in(http, who).get("/campaign-channels").status_code == 403
    assert signed_in(http, who).get("/campaign-channels.csv").status_code == 403
    assert stand_in.gets == []
