import dataclasses
import datetime as dt
import itertools
import json
from decimal import Decimal
from importlib import resources
from string import ascii_letters

import pytest
from xkld_loans.domain.regime_evaluation import LoanAsk, evaluate
from xkld_loans.domain.regime_loading import (
    check_no_overlaps,
    load_regimes,
    load_top_ups,
    parse_document,
)
from xkld_loans.domain.regime_model import NoRegimeInForce, Regime, TopUp, regime_in_force

M = 1_000_000  # one million đồng
REGIMES = load_regimes()
BY_CODE = {regime.code: regime for regime in REGIMES}
# A date each regime is in force on, to build asks that fit it.
IN_FORCE_ON = {
    "ND61-2015": dt.date(2018, 6, 1),
    "ND74-2019": dt.date(2024, 6, 1),
    "ND338-2025": dt.date(2026, 6, 1),
    "QD27-2019": dt.date(2024, 6, 1),
    "EPS-KR-DEPOSIT": dt.date(2024, 6, 1),
}


def packaged_document() -> dict[str, object]:
    text = resources.files("xkld_loans.domain").joinpath("regimes.json").read_text("utf-8")
    document: dict[str, object] = json.loads(text)
    return document


def ask_for(
    code: str,
    groups: frozenset[str] = frozenset(),
    costs: int = 300 * M,
    requested: int = 100 * M,
    term: int = 24,
    contract_term: int = 36,
) -> LoanAsk:
    return LoanAsk(
        programme=BY_CODE[code].programme,
        application_date=IN_FORCE_ON[code],
        priority_groups=groups,
        contract_costs_vnd=costs,
        requested_vnd=requested,
        requested_term_months=term,
        contract_term_months=contract_term,
    )


POOR = frozenset({"poor_household"})
ETHNIC = frozenset({"ethnic_minority"})
NEAR_POOR = frozenset({"near_poor_household"})
NONE: frozenset[str] = frozenset()


# --- choosing the regime ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (dt.date(2015, 8, 1), "ND61-2015"),
        (dt.date(2019, 11, 6), "ND61-2015"),
        (dt.date(2019, 11, 7), "ND74-2019"),
        (dt.date(2025, 12, 31), "ND74-2019"),
        (dt.date(2026, 1, 1), "ND338-2025"),
        (dt.date(2030, 1, 1), "ND338-2025"),
    ],
)
def test_labour_export_applications_get_the_regime_in_force_on_their_date(
    on: dt.date, expected: str
) -> None:
    assert regime_in_force(REGIMES, "labour_export", on).code == expected


def test_no_labour_export_regime_is_in_force_before_1_august_2015() -> None:
    with pytest.raises(NoRegimeInForce, match="2015-07-31"):
        regime_in_force(REGIMES, "labour_export", dt.date(2015, 7, 31))


def test_poor_district_and_eps_deposit_are_programmes_of_their_own() -> None:
    on = dt.date(2024, 6, 1)
    assert regime_in_force(REGIMES, "labour_export_poor_district", on).code == "QD27-2019"
    assert regime_in_force(REGIMES, "korea_eps_deposit", on).code == "EPS-KR-DEPOSIT"


def test_an_unknown_programme_has_no_regime_in_force() -> None:
    with pytest.raises(NoRegimeInForce):
        regime_in_force(REGIMES, "vocational_training", dt.date(2024, 6, 1))


# --- the data -------------------------------------------------------------------------------


def test_the_packaged_regimes_of_each_programme_do_not_overlap() -> None:
    check_no_overlaps(REGIMES)
    for programme in {regime.programme for regime in REGIMES}:
        ranges = sorted(
            (r.effective_from, r.effective_to) for r in REGIMES if r.programme == programme
        )
        for (_, earlier_to), (later_from, _) in itertools.pairwise(ranges):
            assert earlier_to is not None
            assert earlier_to <= later_from


def test_an_overlapping_pair_is_refused_naming_both_regimes() -> None:
    overlapping = dataclasses.replace(
        BY_CODE["ND74-2019"], code="ND-OVERLAP", effective_from=dt.date(2019, 1, 1)
    )
    with pytest.raises(ValueError, match=r"ND61-2015 and ND-OVERLAP overlap"):
        check_no_overlaps([BY_CODE["ND61-2015"], overlapping])


def test_an_open_ended_regime_followed_by_another_is_an_overlap() -> None:
    still_open = dataclasses.replace(BY_CODE["ND74-2019"], effective_to=None)
    with pytest.raises(ValueError, match=r"ND74-2019 and ND338-2025"):
        check_no_overlaps([BY_CODE["ND338-2025"], still_open])


def test_regimes_that_meet_end_to_start_do_not_overlap() -> None:
    check_no_overlaps([BY_CODE["ND61-2015"], BY_CODE["ND74-2019"], BY_CODE["ND338-2025"]])


def test_a_document_with_overlapping_regimes_does_not_load() -> None:
    document = packaged_document()
    regimes = document["regimes"]
    assert isinstance(regimes, list)
    regimes[0]["effective_to"] = "2020-01-01"
    with pytest.raises(ValueError, match="ND61-2015 and ND74-2019 overlap"):
        parse_document(json.dumps(document))


def test_a_rate_written_as_a_json_float_is_refused() -> None:
    document = packaged_document()
    regimes = document["regimes"]
    assert isinstance(regimes, list)
    regimes[0]["overdue_factor"] = 1.3
    with pytest.raises(ValueError, match="overdue_factor"):
        parse_document(json.dumps(document))


def test_a_regime_naming_an_unknown_priority_group_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown priority groups"):
        dataclasses.replace(BY_CODE["QD27-2019"], no_collateral_groups=frozenset({"poor"}))


def test_unknown_figures_are_none_with_a_source_note() -> None:
    eps = BY_CODE["EPS-KR-DEPOSIT"]
    assert eps.poor_household_monthly_rate is None
    assert any("Rate: unknown" in note for note in eps.source_notes)
    nd61 = BY_CODE["ND61-2015"]
    assert "default" not in nd61.rate_factor_by_group
    assert any("workers in no group is unknown" in note for note in nd61.source_notes)
    assert any("Needs confirming" in note for note in BY_CODE["ND74-2019"].source_notes)
    for regime in REGIMES:
        assert regime.max_term_months is None
        assert regime.source_notes


def test_the_given_figures_are_as_in_the_design() -> None:
    assert BY_CODE["ND61-2015"].collateral_threshold_vnd == 50 * M
    assert BY_CODE["ND74-2019"].collateral_threshold_vnd == 100 * M
    assert BY_CODE["ND338-2025"].collateral_threshold_vnd == 200 * M
    assert BY_CODE["QD27-2019"].collateral_threshold_vnd is None
    assert BY_CODE["EPS-KR-DEPOSIT"].absolute_cap_vnd == 100 * M
    assert all(regime.overdue_factor == Decimal("1.3") for regime in REGIMES)


def test_a_loaded_regime_cannot_be_changed() -> None:
    factors = BY_CODE["QD27-2019"].rate_factor_by_group
    with pytest.raises(TypeError):
        factors["poor_household"] = Decimal(0)  # type: ignore[index]


def test_no_provincial_top_up_is_configured_until_its_figures_are_known() -> None:
    assert load_top_ups() == ()


def test_a_configured_top_up_loads() -> None:
    document = packaged_document()
    document["top_ups"] = [
        {
            "code": "TEST-TOPUP",
            "name": "Hỗ trợ lãi suất (thử)",
            "legal_basis": "Nghị quyết thử",
            "province_code": "86",
            "effective_from": "2017-01-01",
            "effective_to": None,
            "eligible_groups": ["poor_household"],
            "subsidised_share_of_interest": "1",
            "source_notes": [],
        }
    ]
    _, top_ups = parse_document(json.dumps(document))
    assert top_ups == (
        TopUp(
            code="TEST-TOPUP",
            name="Hỗ trợ lãi suất (thử)",
            legal_basis="Nghị quyết thử",
            province_code="86",
            effective_from=dt.date(2017, 1, 1),
            effective_to=None,
            eligible_groups=POOR,
            subsidised_share_of_interest=Decimal(1),
        ),
    )


# --- evaluation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "groups", "costs", "requested", "eligible", "maximum", "collateral"),
    [
        ("ND338-2025", NONE, 250 * M, 250 * M, True, 250 * M, True),
        ("ND338-2025", POOR, 250 * M, 200 * M, True, 250 * M, False),
        ("ND338-2025", POOR, 250 * M, 200 * M + 1, True, 250 * M, True),
        ("ND74-2019", POOR, 150 * M, 120 * M, True, 150 * M, True),
        ("ND74-2019", POOR, 150 * M, 90 * M, True, 150 * M, False),
        ("ND74-2019", ETHNIC, 150 * M, 100 * M, True, 150 * M, False),
        ("ND61-2015", POOR, 80 * M, 60 * M, True, 80 * M, True),
        ("ND61-2015", NEAR_POOR, 80 * M, 50 * M, True, 80 * M, False),
        ("QD27-2019", POOR, 300 * M, 300 * M, True, 300 * M, False),
        ("QD27-2019", NONE, 300 * M, 250 * M, True, 300 * M, False),
        ("EPS-KR-DEPOSIT", NONE, 100 * M, 100 * M, True, 100 * M, True),
        ("EPS-KR-DEPOSIT", POOR, 100 * M, 100 * M, True, 100 * M, False),
        ("EPS-KR-DEPOSIT", POOR, 120 * M, 120 * M, False, 100 * M, False),
        ("ND338-2025", POOR, 80 * M, 80 * M + 1, False, 80 * M, False),
        ("ND74-2019", NONE, 80 * M, 0, False, 80 * M, False),
    ],
)
def test_eligibility_maximum_and_collateral_per_group_and_regime(
    code: str,
    groups: frozenset[str],
    costs: int,
    requested: int,
    eligible: bool,
    maximum: int,
    collateral: bool,
) -> None:
    result = evaluate(BY_CODE[code], ask_for(code, groups, costs, requested))
    assert result.regime_code == code
    assert result.eligible is eligible
    assert result.max_amount_vnd == maximum
    assert result.collateral_required is collateral
    assert bool(result.reasons) is not eligible


def test_an_eps_request_above_the_cap_is_refused_with_a_bilingual_reason() -> None:
    result = evaluate(BY_CODE["EPS-KR-DEPOSIT"], ask_for("EPS-KR-DEPOSIT", POOR, 120 * M, 120 * M))
    assert not result.eligible
    assert any(
        "vượt mức tối đa 100.000.000 đ / " in r and "maximum of 100,000,000 VND" in r
        for r in result.reasons
    )
    assert any("capped at the regime's ceiling" in r for r in result.reasons)


def test_a_request_above_the_contract_costs_is_refused() -> None:
    result = evaluate(BY_CODE["ND338-2025"], ask_for("ND338-2025", POOR, 150 * M, 150 * M + 1))
    assert not result.eligible
    assert result.reasons == (
        "Số tiền đề nghị vay vượt mức tối đa 150.000.000 đ"
        " / The requested amount exceeds the maximum of 150,000,000 VND",
    )


def test_the_maximum_is_the_share_of_costs_floored_to_the_dong() -> None:
    half = dataclasses.replace(BY_CODE["ND338-2025"], max_share_of_costs=Decimal("0.5"))
    assert evaluate(half, ask_for("ND338-2025", costs=99, requested=49)).max_amount_vnd == 49


def test_a_term_longer_than_the_work_contract_is_refused() -> None:
    result = evaluate(BY_CODE["ND74-2019"], ask_for("ND74-2019", POOR, term=37, contract_term=36))
    assert not result.eligible
    assert result.max_term_months == 36
    assert any("maximum of 36 months" in reason for reason in result.reasons)


def test_a_term_as_long_as_the_contract_is_accepted() -> None:
    result = evaluate(BY_CODE["ND74-2019"], ask_for("ND74-2019", POOR, term=36, contract_term=36))
    assert result.eligible
    assert result.reasons == ()


def test_the_regime_maximum_term_applies_when_shorter_than_the_contract() -> None:
    capped = dataclasses.replace(BY_CODE["ND74-2019"], max_term_months=24)
    result = evaluate(capped, ask_for("ND74-2019", POOR, term=25, contract_term=36))
    assert (result.eligible, result.max_term_months) == (False, 24)


def test_a_worker_in_none_of_the_eligible_groups_is_refused() -> None:
    only_poor = dataclasses.replace(BY_CODE["ND61-2015"], eligible_groups=POOR)
    refused = evaluate(only_poor, ask_for("ND61-2015", NEAR_POOR))
    assert not refused.eligible
    assert any("none of this regime's eligible groups" in r for r in refused.reasons)
    assert evaluate(only_poor, ask_for("ND61-2015", POOR | NEAR_POOR)).eligible


@pytest.mark.parametrize(
    ("code", "groups", "rate", "overdue"),
    [
        ("ND338-2025", POOR, "0.006985", "0.009081"),  # 0.0055 × 1.27; × 1.3 = 0.0090805
        ("ND338-2025", NONE, "0.006985", "0.009081"),
        ("ND74-2019", POOR, "0.005500", "0.007150"),
        ("ND61-2015", POOR, "0.005500", "0.007150"),
        ("QD27-2019", POOR, "0.002750", "0.003575"),
        ("QD27-2019", ETHNIC | POOR, "0.002750", "0.003575"),
    ],
)
def test_monthly_and_overdue_rates_per_group(
    code: str, groups: frozenset[str], rate: str, overdue: str
) -> None:
    result = evaluate(BY_CODE[code], ask_for(code, groups))
    assert result.monthly_rate == Decimal(rate)
    assert result.overdue_monthly_rate == Decimal(overdue)
    assert result.monthly_rate is not None
    assert result.monthly_rate.as_tuple().exponent == -6


@pytest.mark.parametrize(
    ("code", "groups"),
    [("ND61-2015", NONE), ("ND74-2019", NEAR_POOR), ("QD27-2019", NONE), ("EPS-KR-DEPOSIT", POOR)],
)
def test_an_unknown_rate_is_reported_as_none_not_guessed(code: str, groups: frozenset[str]) -> None:
    result = evaluate(BY_CODE[code], ask_for(code, groups))
    assert result.monthly_rate is None
    assert result.overdue_monthly_rate is None


def test_a_worker_in_several_groups_gets_the_lowest_factor() -> None:
    regime = dataclasses.replace(
        BY_CODE["ND338-2025"],
        rate_factor_by_group={
            "ethnic_minority": Decimal("0.8"),
            "poor_household": Decimal("0.5"),
            "default": Decimal("1.27"),
        },
    )
    result = evaluate(regime, ask_for("ND338-2025", POOR | ETHNIC))
    assert result.monthly_rate == Decimal("0.002750")


def test_asking_a_regime_of_another_programme_or_date_is_a_caller_error() -> None:
    ask = ask_for("ND74-2019", POOR)
    with pytest.raises(ValueError, match="labour_export_poor_district"):
        evaluate(BY_CODE["QD27-2019"], ask)
    with pytest.raises(ValueError, match="not in force"):
        evaluate(BY_CODE["ND338-2025"], ask)


def test_an_ask_with_an_unknown_priority_group_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown priority groups"):
        evaluate(BY_CODE["ND74-2019"], ask_for("ND74-2019", frozenset({"poor"})))


def test_regimes_are_regime_instances_with_vietnamese_names() -> None:
    assert all(isinstance(regime, Regime) and regime.name for regime in REGIMES)


def _top_up(share: str, groups: frozenset[str] | None, code: str = "VL-TEST") -> TopUp:
    return TopUp(
        code=code,
        name="Hỗ trợ lãi suất (thử)",
        legal_basis="Nghị quyết thử",
        province_code="86",
        effective_from=dt.date(2026, 1, 1),
        effective_to=dt.date(2027, 1, 1),
        eligible_groups=groups,
        subsidised_share_of_interest=Decimal(share),
    )


def test_a_provincial_top_up_applies_to_its_province_groups_and_dates_only() -> None:
    from xkld_loans.domain.regime_evaluation import LoanAsk, evaluate
    from xkld_loans.domain.regime_model import regime_in_force

    ask = LoanAsk("labour_export", dt.date(2026, 5, 1), POOR, 100_000_000, 80_000_000, 24, 24, "86")
    regime = regime_in_force(load_regimes(), ask.programme, ask.application_date)
    top_ups = (_top_up("0.5", POOR), _top_up("0.3", None, "VL-ALL"))
    chosen = evaluate(regime, ask, top_ups)
    assert (chosen.top_up_code, chosen.subsidised_share_of_interest) == ("VL-TEST", Decimal("0.5"))
    elsewhere = evaluate(regime, dataclasses.replace(ask, province_code="87"), top_ups)
    assert elsewhere.top_up_code is None
    later = dataclasses.replace(ask, application_date=dt.date(2027, 2, 1))
    assert evaluate(regime, later, top_ups).top_up_code is None
    not_poor = dataclasses.replace(ask, priority_groups=frozenset())
    assert evaluate(regime, not_poor, top_ups).top_up_code == "VL-ALL"


def test_the_province_pays_its_share_of_the_interest_rounded_half_up() -> None:
    from xkld_loans.domain.regime_evaluation import split_interest

    # 838,201 interest in a 5,838,201 instalment; half is 419,100.5 -> 419,101.
    assert split_interest(838_201, 5_838_201, Decimal("0.5")) == {
        "province_pays_vnd": 419_101,
        "worker_pays_vnd": 5_419_100,
    }


def test_the_bank_knows_exactly_the_priority_groups_that_registration_sends() -> None:
    # Two lists on purpose (the domain imports no contracts); this keeps them one list.
    from typing import get_args

    from xkld_loans.domain.regime_model import PRIORITY_GROUPS
    from xkld_shared.contracts.registration import PriorityGroup

    assert frozenset(get_args(PriorityGroup)) == PRIORITY_GROUPS


def test_every_shipped_regime_gives_its_notes_in_vietnamese_too_one_for_one() -> None:
    for regime in REGIMES:
        assert regime.source_notes, regime.code
        assert len(regime.source_notes_vi) == len(regime.source_notes), regime.code
        # Vietnamese, not a copy of the English: each note has a letter English lacks.
        assert all(set(note) - set(ascii_letters + " ") for note in regime.source_notes_vi)


def test_a_regime_without_vietnamese_notes_still_loads() -> None:
    document = packaged_document()
    regimes = document["regimes"]
    assert isinstance(regimes, list)
    del regimes[0]["source_notes_vi"]
    loaded, _ = parse_document(json.dumps(document))
    assert loaded[0].source_notes_vi == ()
    assert loaded[0].source_notes
