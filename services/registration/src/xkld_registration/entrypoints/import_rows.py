"""From a spreadsheet row to the same request the form sends: headings and values the way
commune officers type them (Vietnamese, with or without accents), then the form's own checks."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import ValidationError
from xkld_shared.errors import FieldProblem
from xkld_shared.http.errors import problems_from_validation
from xkld_shared.spreadsheet import ImportShape, columns_of

from xkld_registration.domain.registration import SubmitRegistration
from xkld_registration.domain.search import fold
from xkld_registration.entrypoints.http import RegistrationRequest

_CONSENTS = {
    "registration_processing": ("dong y xu ly ho so", "dong y xu ly du lieu"),
    "sms_notifications": ("dong y nhan sms", "dong y sms"),
    "share_with_enterprise": ("dong y chia se doanh nghiep", "chia se doanh nghiep"),
    "share_with_bank": ("dong y chia se ngan hang", "chia se ngan hang"),
}

# Accepted headings per field, folded (no accents, lower case); the field name itself works too.
HEADINGS: dict[str, tuple[str, ...]] = {
    "full_name": ("ho va ten", "ho ten"),
    "cccd": ("so cccd", "cccd", "so can cuoc"),
    "date_of_birth": ("ngay sinh",),
    "gender": ("gioi tinh",),
    "phone": ("so dien thoai", "dien thoai", "sdt"),
    "commune_code": ("ma xa", "ma xa/phuong", "ma xa phuong"),
    "hamlet": ("ap", "ap/thon", "thon", "ap thon"),
    "ethnicity_code": ("ma dan toc", "dan toc"),
    "household_poverty": ("ho ngheo", "tinh trang ho", "ho ngheo/can ngheo"),
    "education": ("trinh do hoc van", "hoc van"),
    "occupation": ("nghe nghiep", "nghe nghiep, ky nang"),
    "priority_groups": ("nhom uu tien",),
    "desired_market": ("thi truong", "thi truong mong muon"),
    "desired_occupation": ("nghe mong muon",),
    "loan_wanted": ("vay von", "can vay von", "co nhu cau vay von"),
    "consent_text_version": ("phien ban dong y", "phien ban van ban dong y"),
    **_CONSENTS,
}
REQUIRED = ("full_name", "cccd", "date_of_birth", "gender", "phone", "commune_code")

_GENDER = {"nam": "male", "male": "male", "nu": "female", "female": "female"}
_POVERTY = {
    "ngheo": "poor",
    "ho ngheo": "poor",
    "can ngheo": "near_poor",
    "ho can ngheo": "near_poor",
    "khong": "not_poor",
    "khong ngheo": "not_poor",
}
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
_YES = {"co", "x", "yes", "true", "1", "dong y"}
_NO = {"khong", "no", "false", "0", "khong dong y"}
_DEFAULT_CONSENT_VERSION = "import"
# The answers chosen from a list, typed in words, and the table that reads each.
_WORDED = (("gender", _GENDER), ("education", _EDUCATION))


# What a file must look like to be imported, for the shared reader.
SHAPE = ImportShape(HEADINGS, REQUIRED, max_rows=5_000, fold=fold)


def column_map(headings: list[str]) -> tuple[dict[int, str], list[str]]:
    """Column index -> field, and the headings that name no field (ignored, but reported)."""
    return columns_of(headings, SHAPE)


def command_of(
    cells: list[str], columns: dict[int, str]
) -> tuple[SubmitRegistration | None, list[FieldProblem]]:
    raw = {field: cells[i].strip() if i < len(cells) else "" for i, field in columns.items()}
    body = _body(raw)
    try:
        request = RegistrationRequest.model_validate(body)
    except ValidationError as exc:
        return None, problems_from_validation(list(exc.errors()))
    return request.command(), []


def _body(raw: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {k: v for k, v in raw.items() if v and k not in _CONSENTS}
    body |= _identity(raw) | _answers(raw)
    body.setdefault("consent_text_version", _DEFAULT_CONSENT_VERSION)
    return {k: v for k, v in body.items() if v not in ("", None)}


def _identity(raw: dict[str, str]) -> dict[str, Any]:
    """The numbers and codes as typed, put right where a spreadsheet mangled them."""
    return {
        "cccd": _pad(raw.get("cccd", ""), 12, (10, 11)),
        "phone": _phone(raw.get("phone", "")),
        "commune_code": _pad(raw.get("commune_code", ""), 5, (1, 2, 3, 4)),
        "ethnicity_code": _pad(raw.get("ethnicity_code", "01") or "01", 2, (1,)),
        "household_poverty": _lookup(raw.get("household_poverty") or "khong", _POVERTY),
        "date_of_birth": _date(raw.get("date_of_birth", "")),
    }


def _phone(typed: str) -> str:
    # A mobile number stored as a number loses its leading 0 too (912... for 0912...).
    return "0" + typed if re.fullmatch(r"\d{9}", typed) else typed


def _answers(raw: dict[str, str]) -> dict[str, Any]:
    """The answers typed in words, only those given; and the consents."""
    answers: dict[str, Any] = {f: _lookup(raw[f], t) for f, t in _WORDED if raw.get(f)}
    if raw.get("priority_groups"):
        answers["priority_groups"] = [g.strip() for g in re.split(r"[;,]", raw["priority_groups"])]
    if raw.get("loan_wanted"):
        answers["loan_wanted"] = _yes_no(raw["loan_wanted"])
    # A missing answer stays missing: the form's check names it.
    answers["consents"] = {p: _yes_no(raw[p]) for p in _CONSENTS if raw.get(p)}
    return answers


def _pad(value: str, width: int, short_lengths: tuple[int, ...]) -> str:
    # Spreadsheets drop leading zeros of codes stored as numbers (086... becomes 86...).
    return value.zfill(width) if value.isdigit() and len(value) in short_lengths else value


def _lookup(value: str, table: dict[str, str]) -> str:
    return table.get(" ".join(fold(value).split()), value)


def _yes_no(value: str) -> bool | str:
    folded = " ".join(fold(value).split())
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return value  # not a yes or a no: the form's check reports it


def _date(value: str) -> str:
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value)
    if match is None:
        return value
    day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return value
