"""Judging enterprises (issue 17): what counts against an enterprise, and when the labour
office should look at it. Pure: the counts come from the projection, the thresholds and fee caps
are data (`data/enterprise_reputation.json`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

FeeStatus = Literal["within_cap", "over_cap", "cap_unknown"]
EARLY_CAUSES = (
    "accident_or_illness",
    "employer_bankruptcy_or_force_majeure",
    "terminated_for_abuse",
    "dispute",
    "death_or_missing",
)
COMPLAINT_CATEGORIES = ("fees_over_cap", "contract_breach", "wage_arrears", "abuse", "other")


@dataclass(frozen=True)
class Thresholds:
    """An enterprise is flagged when any of these is reached. `None` switches a rule off."""

    early_return_rate_percent: Decimal | None
    min_departed_for_rate: int
    absconded: int | None
    complaints: int | None
    fees_over_cap: int | None


@dataclass(frozen=True)
class FeeCap:
    """The legal cap for a market and programme ('*' = any), in integer VND; `None` = unknown."""

    market_code: str
    programme: str
    cap_vnd: int | None
    basis: str


@dataclass
class EnterpriseLine:
    enterprise_code: str
    departed: int = 0
    completed: int = 0
    returned_early: int = 0
    early_by_cause: dict[str, int] = field(default_factory=lambda: dict.fromkeys(EARLY_CAUSES, 0))
    absconded: int = 0
    complaints: int = 0
    complaints_by_category: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(COMPLAINT_CATEGORIES, 0)
    )
    fees_recorded: int = 0
    fees_over_cap: int = 0
    fees_cap_unknown: int = 0
    fees_total_vnd: int = 0
    flags: list[str] = field(default_factory=list)

    @property
    def early_return_rate_percent(self) -> Decimal | None:
        """Early returns per worker sent, one decimal, halves up; none before anyone left."""
        if not self.departed:
            return None
        rate = Decimal(self.returned_early * 100) / Decimal(self.departed)
        return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def cap_for(caps: list[FeeCap], market_code: str, programme: str) -> FeeCap | None:
    """The most specific cap: market and programme, then market, then programme, then any."""
    for market, prog in (
        (market_code, programme),
        (market_code, "*"),
        ("*", programme),
        ("*", "*"),
    ):
        for cap in caps:
            if cap.market_code == market and cap.programme == prog:
                return cap
    return None


def fee_status(fee_vnd: int, cap: FeeCap | None) -> FeeStatus:
    if cap is None or cap.cap_vnd is None:
        return "cap_unknown"
    return "over_cap" if fee_vnd > cap.cap_vnd else "within_cap"


def add_fee(line: EnterpriseLine, fee_vnd: int, cap: FeeCap | None) -> None:
    line.fees_recorded += 1
    line.fees_total_vnd += fee_vnd
    status = fee_status(fee_vnd, cap)
    if status == "over_cap":
        line.fees_over_cap += 1
    elif status == "cap_unknown":
        line.fees_cap_unknown += 1


def flags_of(line: EnterpriseLine, t: Thresholds) -> list[str]:
    """The reasons to flag this enterprise for the labour office, in a fixed order."""
    found = []
    rate = line.early_return_rate_percent
    if (
        t.early_return_rate_percent is not None
        and rate is not None
        and line.departed >= t.min_departed_for_rate
        and rate >= t.early_return_rate_percent
    ):
        found.append("early_return_rate")
    if t.absconded is not None and line.absconded >= t.absconded:
        found.append("absconded")
    if t.complaints is not None and line.complaints >= t.complaints:
        found.append("complaints")
    if t.fees_over_cap is not None and line.fees_over_cap >= t.fees_over_cap:
        found.append("fees_over_cap")
    return found
