"""VBSP loan regimes and provincial top-ups as policy data: what one is, and which is in force.

Loan rules change by decree, so the figures live in ``regimes.json`` with effective date ranges,
not in code (``regime_loading`` reads them; ``regime_evaluation`` applies one to a loan ask). A
figure the design does not give is ``None`` (or absent) in the data, with a source note;
evaluation then reports it as unknown instead of guessing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

PRIORITY_GROUPS: frozenset[str] = frozenset(
    {
        "poor_household",
        "near_poor_household",
        "ethnic_minority",
        "farmland_recovered",
        "revolutionary_merit_family",
        "demobilised_soldier",
        "youth_volunteer",
        "unemployed_graduate",
    }
)
# A provincial programme is never asked for by name: an application for labour_export is
# routed to it only when the worker gets no loan from central sources (provincial_routing).
PROVINCIAL_PROGRAMME = "labour_export_provincial"
PROGRAMMES: frozenset[str] = frozenset(
    {"labour_export", "labour_export_poor_district", "korea_eps_deposit", PROVINCIAL_PROGRAMME}
)
# The key of rate_factor_by_group for workers in none of the listed groups.
DEFAULT_FACTOR_KEY = "default"
RATE_PLACES = Decimal("0.000001")


def check_groups(groups: Iterable[str], what: str) -> None:
    unknown = sorted(set(groups) - PRIORITY_GROUPS)
    if unknown:
        raise ValueError(f"{what}: unknown priority groups {unknown}")


def _check_dates(start: dt.date, end: dt.date | None, what: str) -> None:
    if end is not None and end <= start:
        raise ValueError(f"{what}: effective_to {end} is not after effective_from {start}")


@dataclass(frozen=True)
class Regime:
    code: str
    name: str
    legal_basis: str
    programme: str
    effective_from: dt.date
    effective_to: dt.date | None  # exclusive; None = open
    eligible_groups: frozenset[str] | None  # None = every worker
    max_share_of_costs: Decimal  # 1 = 100 %
    absolute_cap_vnd: int | None
    collateral_threshold_vnd: int | None  # amounts ABOVE it need collateral; None = never
    no_collateral_groups: frozenset[str]
    poor_household_monthly_rate: Decimal | None  # the reference rate; None = unknown
    # A mapping is unhashable, so it is left out of the generated __hash__.
    rate_factor_by_group: Mapping[str, Decimal] = field(hash=False)
    overdue_factor: Decimal
    max_term_months: int | None
    source_notes: tuple[str, ...]
    # A provincial policy: borrowers must have permanent residence in this province.
    province_code: str | None = None
    # Lends only to workers who get no loan from central sources (Vĩnh Long NQ 37/2016).
    only_without_central_funding: bool = False
    # Lends from the province's yearly allocation entrusted to VBSP, which can run out.
    capital_pool: bool = False
    lending_channel: str | None = None
    # Figures the sources do not give, by field name: shown as unknown, never guessed.
    unknown: tuple[str, ...] = ()
    # The notes in Vietnamese, for the staff who read them (the shipped regimes carry both).
    source_notes_vi: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Invariants are checked here, so hand-built regimes (tests, tools) get them too.
        self._check(f"regime {self.code}")
        self._freeze_factors()

    def _check(self, what: str) -> None:
        self._check_scope(what)
        self._check_groups(what)
        self._check_share_of_costs(what)
        self._check_rate_factors(what)
        self._check_amounts(what)

    def _check_scope(self, what: str) -> None:
        """Which programme, province and dates the regime covers."""
        if self.programme not in PROGRAMMES:
            raise ValueError(f"{what}: unknown programme {self.programme!r}")
        self._check_provincial(what)
        _check_dates(self.effective_from, self.effective_to, what)

    def _check_groups(self, what: str) -> None:
        check_groups(self.eligible_groups or (), what)
        check_groups(self.no_collateral_groups, what)
        check_groups(set(self.rate_factor_by_group) - {DEFAULT_FACTOR_KEY}, what)

    def _check_share_of_costs(self, what: str) -> None:
        if not Decimal(0) < self.max_share_of_costs <= Decimal(1):
            raise ValueError(f"{what}: max_share_of_costs must be in (0, 1]")

    def _check_rate_factors(self, what: str) -> None:
        if any(factor <= 0 for factor in self.rate_factor_by_group.values()):
            raise ValueError(f"{what}: rate factors must be positive")
        if self.overdue_factor < 1:
            raise ValueError(f"{what}: overdue_factor must be at least 1")

    def _freeze_factors(self) -> None:
        # Freeze the mapping so a loaded regime cannot be changed by whoever holds it.
        object.__setattr__(
            self, "rate_factor_by_group", MappingProxyType(dict(self.rate_factor_by_group))
        )

    def _check_amounts(self, what: str) -> None:
        if self.absolute_cap_vnd is not None and self.absolute_cap_vnd <= 0:
            raise ValueError(f"{what}: absolute_cap_vnd must be positive")
        if self.collateral_threshold_vnd is not None and self.collateral_threshold_vnd < 0:
            raise ValueError(f"{what}: collateral_threshold_vnd must not be negative")
        if self.poor_household_monthly_rate is not None and self.poor_household_monthly_rate < 0:
            raise ValueError(f"{what}: poor_household_monthly_rate must not be negative")
        if self.max_term_months is not None and self.max_term_months <= 0:
            raise ValueError(f"{what}: max_term_months must be positive")

    def _check_provincial(self, what: str) -> None:
        provincial = self.programme == PROVINCIAL_PROGRAMME
        if self.province_code is not None and not (
            len(self.province_code) == 2 and self.province_code.isdigit()
        ):
            raise ValueError(f"{what}: province_code must be two digits")
        if provincial and self.province_code is None:
            raise ValueError(f"{what}: a provincial regime needs its province_code")
        if (self.capital_pool or self.only_without_central_funding) and not provincial:
            raise ValueError(f"{what}: only a {PROVINCIAL_PROGRAMME} regime has a capital pool")

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


@dataclass(frozen=True)
class TopUp:
    """A provincial interest subsidy on top of a VBSP loan: configuration, not law in code."""

    code: str
    name: str
    legal_basis: str
    province_code: str
    effective_from: dt.date
    effective_to: dt.date | None  # exclusive; None = open
    eligible_groups: frozenset[str] | None  # None = every worker
    subsidised_share_of_interest: Decimal  # 1 = the province pays all interest
    source_notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        what = f"top-up {self.code}"
        _check_dates(self.effective_from, self.effective_to, what)
        check_groups(self.eligible_groups or (), what)
        if not Decimal(0) < self.subsidised_share_of_interest <= Decimal(1):
            raise ValueError(f"{what}: subsidised_share_of_interest must be in (0, 1]")


class NoRegimeInForce(Exception):
    """No regime of the programme covers the date: the application cannot be evaluated."""


def regime_in_force(regimes: Sequence[Regime], programme: str, on: dt.date) -> Regime:
    matches = [r for r in regimes if r.programme == programme and r.in_force_on(on)]
    if not matches:
        raise NoRegimeInForce(f"no {programme} regime is in force on {on.isoformat()}")
    if len(matches) > 1:
        raise ValueError(f"regimes {matches[0].code} and {matches[1].code} overlap on {on}")
    return matches[0]


# --- evaluation ---------------------------------------------------------------------------
