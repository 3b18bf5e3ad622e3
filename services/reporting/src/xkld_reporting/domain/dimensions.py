"""Dimensions of the registration facts: priority groups as bits, age bands, stages."""

from __future__ import annotations

from collections.abc import Iterable

PRIORITY_GROUPS = (
    "poor_household",
    "near_poor_household",
    "ethnic_minority",
    "farmland_recovered",
    "revolutionary_merit_family",
    "demobilised_soldier",
    "youth_volunteer",
    "unemployed_graduate",
)
_BIT = {group: 1 << i for i, group in enumerate(PRIORITY_GROUPS)}

# Bands the labour office reports in; the first covers everyone under 25 (18 is the legal floor).
AGE_BANDS = ((0, 24, "18-24"), (25, 29, "25-29"), (30, 34, "30-34"), (35, 39, "35-39"))
OLDEST_BAND = "40+"

# A registration's stage as the registration stream tells it (loan stages live on the loan
# stream and are reported there).
STAGES = (
    "submitted",
    "eligible",
    "rejected",
    "withdrawn",
    "in_training",
    "trained",
    "loan_requested",
    "no_loan",
    "contract_signed",
    "departure_scheduled",
    "departed",
    "returned_completed",
    "returned_early",
    "absconded",
    "reintegration",
)


def priority_bits(groups: Iterable[str]) -> int:
    bits = 0
    for group in groups:
        bits |= _BIT[group]
    return bits


def bit_of(group: str) -> int:
    return _BIT[group]


def age_band_sql(submitted_on: str, birth_year: str) -> str:
    """A SQL CASE giving the band of the age reached in the year of registration."""
    age = f"(extract(year FROM {submitted_on})::int - {birth_year})"
    cases = " ".join(f"WHEN {age} <= {high} THEN '{label}'" for _, high, label in AGE_BANDS)
    return f"CASE WHEN {birth_year} IS NULL THEN 'unknown' {cases} ELSE '{OLDEST_BAND}' END"


def overdue_bucket(days: int) -> str:
    """Age buckets of an overdue loan, by days since its oldest unpaid instalment fell due."""
    if days <= 30:
        return "1-30"
    if days <= 90:
        return "31-90"
    if days <= 180:
        return "91-180"
    return ">180"


OVERDUE_BUCKETS = ("1-30", "31-90", "91-180", ">180")
