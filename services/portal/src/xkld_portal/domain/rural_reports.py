"""The three rural training reports (trainees against the plan, support paid against the
budget, employment after training) as tables: the same table is shown on the page and written
to CSV or XLSX, the total last. Rates come as integer basis points (8000 = 80 %) and are shown
as percentages with two decimals; a rate without a denominator stays empty."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xkld_portal.domain.labels import N_
from xkld_portal.domain.reports import Cell, Column, Table

# The Decision 46/2015 group a trainee is counted under (the single highest of theirs).
GROUPS = {
    "disability": N_("People with disabilities"),
    "poor_ethnic_minority_household": N_("Poor ethnic-minority households"),
    "poor_household_difficult_commune": N_("Poor households in especially difficult communes"),
    "ethnic_minority": N_("Ethnic minorities"),
    "revolutionary_merit_family": N_("Families of people with revolutionary merit"),
    "poor_household": N_("Poor households"),
    "land_recovered": N_("Households whose farm or business land was recovered"),
    "woman_lost_job": N_("Women who lost their jobs"),
    "fisher": N_("Fishers"),
    "near_poor_household": N_("Near-poor households"),
    "woman": N_("Women"),
    "rural_worker": N_("Other rural workers"),
    "unknown": N_("Not known yet"),
}
KEYS = {
    "trade": N_("Trade"),
    "commune": N_("Commune"),
    "group": N_("Decision 46 group"),
    "plan_line": N_("Plan line"),
    "course": N_("Course"),
}
# What a trainee may answer about work after training (the employment outcomes).
OUTCOMES = {
    "work_in_trade": N_("Work in the trade learnt"),
    "other_work": N_("Other work"),
    "own_business": N_("Own business"),
    "went_abroad": N_("Went to work abroad"),
    "no_work_yet": N_("No work yet"),
}
NO_KEY = N_("None (no trade, course or plan line)")
TOTAL = N_("Total")


def basis_points(bp: int | None) -> str | None:
    """8000 → "80.00", 1563 → "15.63" (percent, as the other reports give it)."""
    return None if bp is None else f"{Decimal(bp) / 100:.2f}"


_TRAINEES = (
    ("planned_places", Column(N_("Places planned"))),
    ("enrolled", Column(N_("Enrolled"))),
    ("trainees", Column(N_("Trainees (people)"))),
    ("completed", Column(N_("Completed"))),
    ("passed", Column(N_("Passed"))),
    ("certificates", Column(N_("Certificates"))),
    ("enrolled_of_planned_bp", Column(N_("Enrolled of planned"), "percent")),
)
_SUPPORT = (
    ("budget_vnd", Column(N_("Budget"), "money")),
    ("paid_vnd", Column(N_("Support paid"), "money")),
    ("paid_cost_vnd", Column(N_("of which training cost"), "money")),
    ("paid_meals_vnd", Column(N_("of which meals"), "money")),
    ("paid_travel_vnd", Column(N_("of which travel"), "money")),
    ("trainees_paid", Column(N_("Trainees paid"))),
    ("balance_vnd", Column(N_("Budget left"), "money")),
    ("paid_of_budget_bp", Column(N_("Paid of budget"), "percent")),
)
_PLAN_LINE = (
    ("trade_code", Column(N_("Trade code"), "text")),
    ("commune_code", Column(N_("Commune code"), "text")),
    ("places", Column(N_("Places ordered"))),
    ("withdrawn", Column(N_("Line withdrawn"), "label")),
)
_EMPLOYMENT = (
    ("completed", Column(N_("Completed"))),
    ("outcomes_recorded", Column(N_("Outcomes recorded"))),
    *((code, Column(label)) for code, label in OUTCOMES.items()),
    ("employed", Column(N_("Employed"))),
    ("employment_rate_bp", Column(N_("Employment rate"), "percent")),
    ("completed_without_outcome", Column(N_("Completed, no outcome yet"))),
)


@dataclass(frozen=True)
class RuralReport:
    name: str
    title: str
    service_path: str
    by: Mapping[str, str]  # the breakdowns the service offers, the default first
    figures: Sequence[tuple[str, Column]]

    def by_of(self, asked: str | None) -> str:
        if asked is not None and asked in self.by:
            return asked
        return next(iter(self.by))

    def columns(self, by: str) -> list[Column]:
        extra: list[tuple[str, Column]] = []
        if by == "commune":
            extra = [("name", Column(N_("Name"), "text"))]
        elif by == "plan_line":
            extra = list(_PLAN_LINE)
        return [Column(KEYS[by], "label"), *(c for _, c in (*extra, *self.figures))]

    def table(self, answer: Mapping[str, Any]) -> Table:
        """The rows, then the total (which has no key)."""
        by = self.by_of(str(answer.get("by") or ""))
        fields = [k for k, _ in self.figures]
        if by == "commune":
            fields = ["name", *fields]
        elif by == "plan_line":
            fields = [k for k, _ in _PLAN_LINE] + fields
        rows = [[_key(by, r.get("key")), *_cells(r, fields)] for r in answer.get("rows") or []]
        total = [TOTAL, *_cells(answer.get("total") or {}, fields)]
        return Table(self.columns(by), [*rows, total])


def _key(by: str, key: Any) -> str:
    if key is None:
        return NO_KEY
    return GROUPS.get(str(key), str(key)) if by == "group" else str(key)


def _cells(line: Mapping[str, Any], fields: Sequence[str]) -> list[Cell]:
    cells: list[Cell] = []
    for name in fields:
        value = line.get(name)
        if name.endswith("_bp"):
            cells.append(basis_points(value))
        elif name == "withdrawn":
            cells.append(N_("Line withdrawn") if value else None)
        else:
            cells.append(value)
    return cells


RURAL_REPORTS = {
    r.name: r
    for r in (
        RuralReport(
            "trainees",
            N_("Rural training: trainees against the plan"),
            "/reports/rural-training/trainees",
            {"trade": KEYS["trade"], "commune": KEYS["commune"], "group": KEYS["group"]},
            _TRAINEES,
        ),
        RuralReport(
            "support",
            N_("Rural training: support paid against the budget"),
            "/reports/rural-training/support",
            {"trade": KEYS["trade"], "commune": KEYS["commune"], "plan_line": KEYS["plan_line"]},
            _SUPPORT,
        ),
        RuralReport(
            "employment",
            N_("Rural training: employment after training"),
            "/reports/rural-training/employment",
            {"course": KEYS["course"], "trade": KEYS["trade"], "commune": KEYS["commune"]},
            _EMPLOYMENT,
        ),
    )
}
