"""A consent record to print and sign: bilingual, plain HTML, every value escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from xkld_shared.clock import VIETNAM

_VIETNAM = VIETNAM
_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<title>Phiếu đồng ý xử lý dữ liệu cá nhân / Consent record</title>
<style>body{{font-family:serif;max-width:48em;margin:2em auto}}td,th{{border:1px solid #444;
padding:.3em .6em}}table{{border-collapse:collapse;width:100%}}.sign{{margin-top:4em}}</style>
</head><body>
<h1>Phiếu đồng ý xử lý dữ liệu cá nhân</h1>
<p><em>Consent to the processing of personal data (Decree 13/2023/NĐ-CP; Law 91/2025/QH15)</em></p>
<p>Người lao động / Worker: <strong>{name}</strong> — Mã hồ sơ / File: {reference}
— Xã/phường / Commune: {commune}</p>
<table><tr><th>Mục đích / Purpose</th><th>Đồng ý / Consent</th><th>Phiên bản văn bản /
Text version</th><th>Người ghi nhận / Recorded by</th><th>Thời điểm / Time</th></tr>
{rows}
</table>
<p class="sign">Người lao động ký, ghi rõ họ tên / Worker's signature and full name</p>
</body></html>
"""


def render_consent_record(
    name: str | None, reference: str, commune: str, consents: Sequence[dict[str, object]]
) -> str:
    rows = "\n".join(_row(c) for c in consents)
    shown_name = escape(name) if name else "(đã xoá / erased)"
    return _PAGE.format(
        name=shown_name, reference=escape(reference), commune=escape(commune), rows=rows
    )


def _row(consent: dict[str, object]) -> str:
    return "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in _cells(consent)) + "</tr>"


def _cells(consent: dict[str, object]) -> tuple[str, ...]:
    return (
        f"{consent['purpose_vi']} ({consent['purpose']})",
        "Có / Yes" if consent["granted"] else "Không / No",
        str(consent["text_version"]),
        str(consent["recorded_by_name"]),
        _local_time(consent["recorded_at"]),
    )


def _local_time(when: object) -> str:
    if isinstance(when, dt.datetime):
        return when.astimezone(_VIETNAM).strftime("%d/%m/%Y %H:%M")
    return ""
