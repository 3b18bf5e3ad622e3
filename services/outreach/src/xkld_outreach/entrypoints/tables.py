"""The funnel and the survey roll-ups as tables with Vietnamese headings, and the download
response for `?format=csv|xlsx`."""

from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from xkld_outreach.adapters.exports import Table, as_csv, as_xlsx
from xkld_outreach.domain.funnel import STAGES, Funnel

GROUPS_VI = {
    "poor_household": "Hộ nghèo",
    "near_poor_household": "Hộ cận nghèo",
    "ethnic_minority": "Dân tộc thiểu số",
    "farmland_recovered": "Hộ bị thu hồi đất nông nghiệp",
    "revolutionary_merit_family": "Thân nhân người có công",
    "demobilised_soldier": "Bộ đội, công an xuất ngũ",
    "youth_volunteer": "Thanh niên tình nguyện",
    "unemployed_graduate": "Sinh viên tốt nghiệp chưa có việc làm",
}
STAGES_VI = ("Được tiếp cận", "Quan tâm", "Đã đăng ký", "Đã xuất cảnh")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def funnel_body(f: Funnel) -> dict[str, Any]:
    return {"total": f.total, "by_priority_group": f.by_priority_group, "walk_ins": f.walk_ins}


def funnel_tables(f: Funnel) -> list[Table]:
    rows: list[list[object]] = [
        [GROUPS_VI.get(g, g), *(counts[s] for s in STAGES)]
        for g, counts in f.by_priority_group.items()
    ]
    rows.append(["Tổng cộng (kể cả người vãng lai)", *(f.total[s] for s in STAGES)])
    return [Table("Phễu theo nhóm ưu tiên", ["Nhóm ưu tiên", *STAGES_VI], rows)]


_COUNTS_VI = {
    "members": "Số người",
    "households": "Số hộ",
    "wants_training": "Muốn học nghề",
    "wants_abroad": "Muốn đi nước ngoài",
    "needs_loan": "Cần vay vốn",
    "contact_consent": "Đồng ý liên hệ",
}
_DIMENSIONS_VI = {
    "by_commune": "Theo xã",
    "by_hamlet": "Theo ấp",
    "by_trade": "Theo nghề",
    "by_market": "Theo thị trường",
    "by_priority_group": "Theo nhóm ưu tiên",
    "by_age_band": "Theo nhóm tuổi",
    "by_gender": "Theo giới tính",
}


def rollup_tables(body: dict[str, Any]) -> list[Table]:
    counts = list(_COUNTS_VI)
    totals = body["totals"]
    tables = [Table("Tổng hợp", list(_COUNTS_VI.values()), [[totals.get(c, 0) for c in counts]])]
    for key, name in _DIMENSIONS_VI.items():
        rows = [[_label(key, r["key"]), *(r[c] for c in counts)] for r in body.get(key, [])]
        tables.append(Table(name, ["Nhóm", *_COUNTS_VI.values()], rows))
    return tables


def _label(dimension: str, key: object) -> object:
    if dimension == "by_priority_group":
        return GROUPS_VI.get(str(key), key)
    if dimension == "by_gender":
        return {"male": "Nam", "female": "Nữ"}.get(str(key), key)
    return key


def download(title: str, tables: list[Table], fmt: str, filename: str) -> Response:
    if fmt == "csv":
        data, media = as_csv(title, tables), "text/csv; charset=utf-8"
    else:
        data, media = as_xlsx(title, tables), XLSX
    headers = {"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'}
    return Response(data, media_type=media, headers=headers)
