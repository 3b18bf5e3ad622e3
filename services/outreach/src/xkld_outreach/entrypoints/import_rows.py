"""From a survey spreadsheet row to the same member the form sends: headings and values the way
commune officers type them (Vietnamese, with or without accents), then the form's own checks."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from xkld_shared.errors import FieldProblem
from xkld_shared.http.errors import problems_from_validation
from xkld_shared.spreadsheet import ImportShape, columns_of

from xkld_outreach.application.imports import ParsedRow
from xkld_outreach.domain.survey import member_problems
from xkld_outreach.domain.text import fold
from xkld_outreach.entrypoints.requests import MemberRequest

# Accepted headings per field, folded (no accents, lower case); the field name itself works too.
HEADINGS: dict[str, tuple[str, ...]] = {
    "household": ("ho so", "so ho", "ma ho", "ho"),
    "hamlet": ("ap", "ap/thon", "thon", "ap thon"),
    "full_name": ("ho va ten", "ho ten"),
    "age_band": ("nhom tuoi", "do tuoi"),
    "gender": ("gioi tinh",),
    "education": ("trinh do hoc van", "hoc van"),
    "current_work": ("cong viec hien tai", "viec lam hien tai", "cong viec"),
    "wants_training": ("muon hoc nghe", "nhu cau hoc nghe"),
    "trade_code": ("nghe muon hoc", "ma nghe", "nghe"),
    "wants_abroad": ("muon di nuoc ngoai", "muon di xuat khau lao dong", "muon di xkld"),
    "market_code": ("thi truong", "ma thi truong"),
    "abroad_when": ("khi nao di", "thoi diem", "khi nao"),
    "needs_loan": ("can vay von", "vay von"),
    "priority_groups": ("nhom uu tien",),
    "contact_consent": ("dong y lien he", "dong y duoc lien he"),
    "phone": ("so dien thoai", "dien thoai", "sdt", "so di dong"),
}
REQUIRED = ("household", "hamlet", "age_band", "gender", "education", "current_work")
_FLAGS = ("wants_training", "wants_abroad", "needs_loan", "contact_consent")

_GENDER = {"nam": "male", "nu": "female"}
_EDUCATION = {
    "chua di hoc": "none",
    "tieu hoc": "primary",
    "thcs": "lower_secondary",
    "trung hoc co so": "lower_secondary",
    "thpt": "upper_secondary",
    "trung hoc pho thong": "upper_secondary",
    "trung cap": "vocational",
    "so cap": "vocational",
    "cao dang": "college",
    "dai hoc": "university",
}
_WORK = {
    "lam nong": "farming",
    "nong nghiep": "farming",
    "danh bat": "fishing",
    "lam thue": "wage_work",
    "lam cong": "wage_work",
    "kinh doanh": "own_business",
    "tu kinh doanh": "own_business",
    "hoc sinh": "student",
    "sinh vien": "student",
    "that nghiep": "unemployed",
    "chua co viec": "unemployed",
    "khac": "other",
}
_WHEN = {
    "trong 6 thang": "within_6_months",
    "6 thang": "within_6_months",
    "trong 12 thang": "within_12_months",
    "12 thang": "within_12_months",
    "sau nay": "later",
    "chua biet": "undecided",
}
_YES = {"co", "x", "yes", "true", "1", "dong y"}
_NO = {"khong", "no", "false", "0", "khong dong y", ""}


# What a file must look like to be imported, for the shared reader.
SHAPE = ImportShape(HEADINGS, REQUIRED, max_rows=5_000, fold=fold)


def column_map(headings: list[str]) -> tuple[dict[int, str], list[str]]:
    """Column index -> field, and the headings that name no field (ignored, but reported)."""
    return columns_of(headings, SHAPE)


def parsed_row(number: int, cells: list[str], columns: dict[int, str]) -> ParsedRow:
    raw = {field: cells[i].strip() if i < len(cells) else "" for i, field in columns.items()}
    household, hamlet = raw.pop("household", ""), raw.pop("hamlet", "")
    problems = _place_problems(household, hamlet)
    try:
        member = MemberRequest.model_validate(_body(raw)).member()
    except ValidationError as exc:
        return ParsedRow(number, household, hamlet, None, problems + _problems(exc))
    problems += member_problems(member)
    return ParsedRow(number, household, hamlet, None if problems else member, problems)


def _place_problems(household: str, hamlet: str) -> list[FieldProblem]:
    problems = []
    if not household:
        problems.append(FieldProblem("household", "Thiếu số hộ", "The household number is missing"))
    if not hamlet or len(hamlet) > 100:
        problems.append(
            FieldProblem(
                "hamlet", "Cần tên ấp (tối đa 100 ký tự)", "A hamlet (up to 100 characters)"
            )
        )
    return problems


def _problems(exc: ValidationError) -> list[FieldProblem]:
    return problems_from_validation(list(exc.errors()))


def _body(raw: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {k: v for k, v in raw.items() if v and k not in _FLAGS}
    for field, table in (
        ("gender", _GENDER),
        ("education", _EDUCATION),
        ("current_work", _WORK),
        ("abroad_when", _WHEN),
    ):
        if raw.get(field):
            body[field] = table.get(fold(raw[field]), raw[field])
    for flag in _FLAGS:
        body[flag] = _yes_no(raw.get(flag, ""))
    if raw.get("priority_groups"):
        body["priority_groups"] = [g.strip() for g in re.split(r"[;,]", raw["priority_groups"])]
    return body


def _yes_no(value: str) -> bool | str:
    folded = fold(value)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return value  # not a yes or a no: the form's check reports it
