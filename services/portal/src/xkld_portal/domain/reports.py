"""The reports as tables: which columns each one has and how the reporting service's answer
becomes rows. The same table is shown on the page and written to CSV or XLSX, so an export
holds exactly what the page shows. Reports are aggregates: no name, CCCD or phone reaches them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xkld_portal.domain.labels import EARLY_CAUSES, N_, SMS_TEMPLATES
from xkld_portal.domain.staff_forms import COURSE_TYPES

Cell = str | int | None


@dataclass(frozen=True)
class Column:
    title: str  # a message, translated where it is shown
    kind: str = "count"  # count, money, percent, date, text


@dataclass(frozen=True)
class Table:
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]


INDICATORS = {
    "registered": N_("Registered"),
    "trained": N_("Trained"),
    "departed": N_("Departed"),
    "loans_disbursed": N_("Loans disbursed"),
    "loans_disbursed_vnd": N_("Amount disbursed (VND)"),
}
FILTERS = {
    "area": N_("Area (province or commune code)"),
    "year": N_("Year"),
    "milestone": N_("Milestone"),
    "by": N_("Broken down by"),
    "granularity": N_("Per"),
    "date_from": N_("From"),
    "date_to": N_("To"),
    "as_of": N_("On the date"),
}
ROW_OUTCOMES = {
    "saved": N_("Saved"),
    "refused": N_("Refused"),
    "not_saved": N_("Not saved (the file is saved whole or not at all)"),
}
QUARTERS = {
    "1": N_("Quarter 1"),
    "2": N_("Quarter 2"),
    "3": N_("Quarter 3"),
    "4": N_("Quarter 4"),
}
MILESTONES = {
    "registered": N_("Registered"),
    "eligible": N_("Found eligible"),
    "trained": N_("Trained"),
    "contract_signed": N_("Contract signed"),
    "departed": N_("Departed"),
    "returned": N_("Returned"),
    "absconded": N_("Absconded"),
    "rejected": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
}
DIMENSIONS = {
    "none": N_("No breakdown"),
    "commune": N_("Commune"),
    "stage": N_("Stage"),
    "market": N_("Market"),
    "gender": N_("Gender"),
    "age_band": N_("Age band"),
    "priority_group": N_("Priority group"),
}
GRANULARITIES = {
    "month": N_("Month"),
    "quarter": N_("Quarter"),
    "year": N_("Year"),
    "day": N_("Day"),
}
STREAMS = {
    "registration": N_("registration"),
    "loan": N_("loan"),
    "notification": N_("SMS"),
}
FOLLOW_UP = {
    "abroad_now": N_("Abroad now"),
    "returned_completed": N_("Returned, contract completed"),
    "returned_early": N_("Returned early"),
    "absconded": N_("Absconded"),
}


def percent_shown(percent: str | Decimal | None, lang: str) -> str:
    """ "66,7%" in Vietnamese, "66.7%" in English; a dash where there is no target."""
    if percent is None or percent == "":
        return "—"
    text = str(percent)
    return f"{text.replace('.', ',')}%" if lang == "vi" else f"{text}%"


def _key(key: object) -> str:
    return "" if key is None else str(key)


def _registrations(answer: Mapping[str, Any]) -> Table:
    columns = [Column(N_("Period"), "date"), Column(N_("Group"), "text"), Column(N_("People"))]
    rows = [[r["period"], _key(r["key"]), r["count"]] for r in answer["rows"]]
    return Table(columns, rows)


_TRAINING = (
    ("course_type", Column(N_("Course type"), "label")),
    ("enrolled", Column(N_("Enrolled"))),
    ("completed", Column(N_("Completed"))),
    ("passed", Column(N_("Passed"))),
    ("certificates", Column(N_("Certificates"))),
    ("certificate_rate_percent", Column(N_("Certificate rate"), "percent")),
    ("employed_or_departed_percent", Column(N_("Employed or departed after passing"), "percent")),
)
_LOANS = (
    ("commune_code", Column(N_("Commune"), "text")),
    ("applied", Column(N_("Applied"))),
    ("approved", Column(N_("Approved"))),
    ("rejected", Column(N_("Refused"))),
    ("disbursed", Column(N_("Disbursed"))),
    ("disbursed_vnd", Column(N_("Amount disbursed"), "money")),
    ("repaid_vnd", Column(N_("Repaid"), "money")),
    ("outstanding_vnd", Column(N_("Outstanding"), "money")),
    ("settled", Column(N_("Settled"))),
)
_SMS = (
    ("template_code", Column(N_("SMS template"), "label")),
    ("sent", Column(N_("Sent"))),
    ("delivered", Column(N_("Delivered"))),
    ("failed", Column(N_("Failed"))),
    ("suppressed", Column(N_("Not sent (no consent or opted out)"))),
)


def _named(
    lines: Sequence[Mapping[str, Any]], key: str, names: Mapping[str, str]
) -> list[Mapping[str, Any]]:
    """The lines with `key`'s code replaced by its name (a code not known stays as it is)."""
    return [{**line, key: names.get(line.get(key) or "", line.get(key))} for line in lines]


def _picked(fields: Sequence[tuple[str, Column]], lines: Sequence[Mapping[str, Any]]) -> Table:
    columns = [c for _, c in fields]
    return Table(columns, [[line.get(k) for k, _ in fields] for line in lines])


def _overdue(line: Mapping[str, Any]) -> list[Cell]:
    buckets = line.get("overdue") or {}
    loans = sum(int(b.get("loans", 0)) for b in buckets.values())
    amount = sum(int(b.get("outstanding_vnd", 0)) for b in buckets.values())
    return [loans, amount]


def _loans(answer: Mapping[str, Any]) -> Table:
    base = _picked(_LOANS, answer["communes"])
    columns = [
        *base.columns,
        Column(N_("Number of overdue loans")),
        Column(N_("Overdue balance"), "money"),
    ]
    rows = [
        [*row, *_overdue(line)] for row, line in zip(base.rows, answer["communes"], strict=True)
    ]
    return Table(columns, rows)


def _follow_up(answer: Mapping[str, Any]) -> Table:
    columns = [Column(N_("Measure"), "label"), Column(N_("People"))]
    rows: list[list[Cell]] = [[label, answer.get(key, 0)] for key, label in FOLLOW_UP.items()]
    for cause, n in sorted((answer.get("returned_early_by_cause") or {}).items()):
        rows.append([EARLY_CAUSES.get(cause or "", cause or "—"), n])
    return Table(columns, rows)


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    service_path: str
    params: tuple[str, ...]  # the filters passed on to the reporting service
    table: Callable[[Mapping[str, Any]], Table]


REPORTS = {
    r.name: r
    for r in (
        Report(
            "registrations",
            N_("Registrations"),
            "/reports/registrations",
            ("area", "milestone", "by", "granularity", "date_from", "date_to"),
            _registrations,
        ),
        Report(
            "training",
            N_("Training"),
            "/reports/training",
            ("area", "year"),
            lambda a: _picked(_TRAINING, _named(a["courses"], "course_type", COURSE_TYPES)),
        ),
        Report("loans", N_("Loans"), "/reports/loans", ("area", "as_of"), _loans),
        Report("follow-up", N_("Follow-up"), "/reports/follow-up", ("area",), _follow_up),
        Report(
            "sms",
            N_("SMS"),
            "/reports/sms",
            ("date_from", "date_to"),
            lambda a: _picked(_SMS, _named(a["templates"], "template_code", SMS_TEMPLATES)),
        ),
    )
}


# The outcomes report (issue 17): households that left poverty while a member worked abroad,
# and money sent home against the loans disbursed, per commune and the area's total (last).
_OUTCOMES = (
    ("name", Column(N_("Commune name"), "text")),
    ("followed", Column(N_("Households followed"))),
    ("left_poor", Column(N_("Left the poor list"))),
    ("left_near_poor", Column(N_("Left the near-poor list"))),
    ("left_poverty", Column(N_("Left poverty"))),
    ("left_poverty_bp", Column(N_("Share that left poverty"), "percent")),
    ("remittance_vnd", Column(N_("Money sent home"), "money")),
    ("remittance_reports", Column(N_("Check-ins reporting money"))),
    ("loans_disbursed_vnd", Column(N_("Loans disbursed (VND)"), "money")),
    ("remittance_of_loans_bp", Column(N_("Money sent home against loans"), "percent")),
)


def _outcome_cells(line: Mapping[str, Any]) -> list[Cell]:
    """Basis points become percentages with two decimals (1563 → "15.63"); none stays none."""
    cells: list[Cell] = []
    for key, _ in _OUTCOMES:
        value = line.get(key)
        if key.endswith("_bp") and value is not None:
            value = f"{Decimal(value) / 100:.2f}"
        cells.append(value)
    return cells


def _outcomes(answer: Mapping[str, Any]) -> Table:
    columns = [Column(N_("Commune code"), "label"), *(c for _, c in _OUTCOMES)]
    rows = [[str(r.get("key") or ""), *_outcome_cells(r)] for r in answer.get("rows") or []]
    total = [N_("Total"), *_outcome_cells({**(answer.get("total") or {}), "name": None})]
    return Table(columns, [*rows, total])


REPORTS["outcomes"] = Report(
    "outcomes",
    N_("Outcomes, poverty and money sent home"),
    "/reports/outcomes",
    ("area", "year"),
    _outcomes,
)
