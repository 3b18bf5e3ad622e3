"""The rules that judge an enterprise: fee caps by market and programme, and the flags."""

from __future__ import annotations

from decimal import Decimal

from xkld_reporting.adapters.reputation_rules import load_rules
from xkld_reporting.domain.reputation import (
    EnterpriseLine,
    FeeCap,
    Thresholds,
    add_fee,
    cap_for,
    fee_status,
    flags_of,
)

M = 1_000_000
RULES = Thresholds(Decimal(20), 5, 2, 3, 1)


def test_the_shipped_rules_know_no_fee_cap_in_vnd_and_say_so() -> None:
    rules = load_rules()
    assert rules.fee_caps
    assert all(cap.cap_vnd is None for cap in rules.fee_caps)
    assert fee_status(500 * M, cap_for(rules.fee_caps, "JP", "labour_export")) == "cap_unknown"


def test_the_most_specific_cap_wins_and_a_fee_equal_to_the_cap_is_within_it() -> None:
    caps = [
        FeeCap("*", "*", None, "unknown"),
        FeeCap("JP", "*", 100 * M, "market"),
        FeeCap("JP", "intern", 80 * M, "market and programme"),
    ]
    assert cap_for(caps, "JP", "intern") == caps[2]
    assert cap_for(caps, "JP", "labour_export") == caps[1]
    assert cap_for(caps, "KR", "eps") == caps[0]
    assert fee_status(100 * M, caps[1]) == "within_cap"
    assert fee_status(100 * M + 1, caps[1]) == "over_cap"
    assert cap_for([], "JP", "intern") is None


def test_an_early_return_rate_flags_only_once_enough_workers_were_sent() -> None:
    few = EnterpriseLine("A", departed=4, returned_early=4)
    enough = EnterpriseLine("B", departed=5, returned_early=1)
    below = EnterpriseLine("C", departed=6, returned_early=1)
    assert flags_of(few, RULES) == []
    assert enough.early_return_rate_percent == Decimal("20.0")
    assert flags_of(enough, RULES) == ["early_return_rate"]
    assert below.early_return_rate_percent == Decimal("16.7")
    assert flags_of(below, RULES) == []
    assert EnterpriseLine("D").early_return_rate_percent is None


def test_absconding_complaints_and_fees_over_the_cap_each_flag_at_their_threshold() -> None:
    line = EnterpriseLine("A", departed=1, absconded=2, complaints=3)
    add_fee(line, 120 * M, FeeCap("*", "*", 100 * M, "test"))
    add_fee(line, 90 * M, None)
    assert (line.fees_recorded, line.fees_over_cap, line.fees_cap_unknown) == (2, 1, 1)
    assert flags_of(line, RULES) == ["absconded", "complaints", "fees_over_cap"]
    off = Thresholds(None, 1, None, None, None)
    assert flags_of(line, off) == []
