"""Vĩnh Long's NQ 37/2016 regime: its data, and routing to it only without central funding."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from xkld_loans.domain.capital_pool import PoolYear, principal_returned, province_of_branch
from xkld_loans.domain.provincial_routing import route
from xkld_loans.domain.regime_evaluation import LoanAsk, evaluate
from xkld_loans.domain.regime_loading import check_no_overlaps, load_regimes, parse_regime
from xkld_loans.domain.regime_model import PROVINCIAL_PROGRAMME

M = 1_000_000
REGIMES = load_regimes()
NQ37 = next(r for r in REGIMES if r.code == "NQ37-2016-VL")


def ask(**changes: object) -> LoanAsk:
    base = LoanAsk(
        programme="labour_export",
        application_date=dt.date(2018, 5, 2),
        priority_groups=frozenset({"demobilised_soldier"}),
        contract_costs_vnd=90 * M,
        requested_vnd=90 * M,
        requested_term_months=36,
        contract_term_months=36,
        province_code="86",
        central_funding="not_covered",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_the_nq37_regime_holds_what_the_sources_say_and_leaves_the_rest_unknown() -> None:
    assert NQ37.programme == PROVINCIAL_PROGRAMME
    assert NQ37.province_code == "86"
    assert NQ37.only_without_central_funding
    assert NQ37.capital_pool
    assert NQ37.max_share_of_costs == Decimal(1)
    assert NQ37.collateral_threshold_vnd is None, "tín chấp: never collateral"
    assert NQ37.eligible_groups == frozenset(
        {
            "poor_household",
            "near_poor_household",
            "farmland_recovered",
            "ethnic_minority",
            "revolutionary_merit_family",
            "demobilised_soldier",
        }
    )
    assert NQ37.absolute_cap_vnd is None
    assert NQ37.max_term_months is None
    assert {"absolute_cap_vnd", "max_term_months", "yearly_allocation_vnd"} <= set(NQ37.unknown)
    assert NQ37.lending_channel is not None
    assert "VBSP" in NQ37.lending_channel


def test_an_eligible_worker_without_central_funding_goes_to_nq37_and_is_told_why() -> None:
    chosen = route(REGIMES, ask())
    evaluation = evaluate(chosen.regime, chosen.ask)
    assert chosen.regime.code == "NQ37-2016-VL"
    assert chosen.rule == "provincial_no_central_funding"
    assert chosen.reason is not None
    assert "NQ37-2016-VL chosen" in chosen.reason
    assert evaluation.eligible
    assert evaluation.max_amount_vnd == 90 * M, "up to 100 % of the legal costs"
    assert not evaluation.collateral_required
    assert evaluation.monthly_rate == Decimal("0.005500"), "the poor-household rate"
    assert evaluation.max_term_months == 36, "no longer than the contract"
    assert (evaluation.pool_province_code, evaluation.pool_year) == ("86", 2018)


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"central_funding": "covered"}, "central_funding_covered"),
        ({"central_funding": None}, "central_funding_not_stated"),
        ({"province_code": "87"}, "no_provincial_regime"),
        ({"province_code": None}, "no_provincial_regime"),
        ({"priority_groups": frozenset({"youth_volunteer"})}, "not_in_provincial_groups"),
        ({"priority_groups": frozenset()}, "not_in_provincial_groups"),
        ({"application_date": dt.date(2016, 12, 31)}, "no_provincial_regime"),
        ({"application_date": dt.date(2021, 1, 1)}, "no_provincial_regime"),
    ],
)
def test_anyone_else_stays_with_the_central_regime_and_the_evaluation_says_why(
    changes: dict[str, object], rule: str
) -> None:
    chosen = route(REGIMES, ask(**changes))
    evaluation = evaluate(chosen.regime, chosen.ask)
    assert chosen.regime.programme == "labour_export"
    assert chosen.regime.code in {"ND61-2015", "ND74-2019"}
    assert chosen.rule == rule
    assert chosen.reason
    assert " / " in chosen.reason
    assert evaluation.pool_province_code is None
    assert evaluation.pool_year is None


def test_asking_for_the_provincial_programme_by_name_does_not_skip_the_central_funding_rule() -> (
    None
):
    chosen = route(REGIMES, ask(programme=PROVINCIAL_PROGRAMME, central_funding="covered"))
    assert chosen.regime.programme == "labour_export"


def test_other_programmes_are_not_routed() -> None:
    chosen = route(
        REGIMES, ask(programme="korea_eps_deposit", application_date=dt.date(2024, 1, 1))
    )
    assert chosen.regime.code == "EPS-KR-DEPOSIT"
    assert chosen.rule is None


def test_evaluating_nq37_directly_refuses_a_non_resident_or_a_centrally_funded_worker() -> None:
    direct = ask(programme=PROVINCIAL_PROGRAMME, province_code="87", central_funding="covered")
    evaluation = evaluate(NQ37, direct)
    assert not evaluation.eligible
    assert any("permanent residence in province 86" in r for r in evaluation.reasons)
    assert any("no loan from central sources" in r for r in evaluation.reasons)


def test_a_capital_pool_outside_a_provincial_regime_is_refused_in_the_data() -> None:
    document: dict[str, object] = {
        "code": "X",
        "name": "x",
        "legal_basis": "x",
        "programme": "labour_export",
        "effective_from": "2030-01-01",
        "effective_to": None,
        "eligible_groups": None,
        "max_share_of_costs": "1",
        "absolute_cap_vnd": None,
        "collateral_threshold_vnd": None,
        "no_collateral_groups": [],
        "poor_household_monthly_rate": None,
        "rate_factor_by_group": {},
        "overdue_factor": "1.3",
        "max_term_months": None,
        "source_notes": [],
        "capital_pool": True,
    }
    with pytest.raises(ValueError, match="capital pool"):
        parse_regime(document)
    with pytest.raises(ValueError, match="province_code"):
        parse_regime(document | {"programme": PROVINCIAL_PROGRAMME})
    with pytest.raises(ValueError, match="true or false"):
        parse_regime(document | {"capital_pool": "yes"})


def test_a_pool_year_keeps_its_arithmetic_and_branches_name_their_province() -> None:
    year = PoolYear("86", 2018, allocated_vnd=15_000 * M, lent_vnd=900 * M, repaid_vnd=100 * M)
    assert year.available_vnd == 14_200 * M
    assert principal_returned(3 * M, 2 * M) == 5 * M
    assert province_of_branch("VBSP-86-TANQUOI") == "86"
    assert province_of_branch("VBSP-86") == "86"
    assert province_of_branch("VBSP-UNASSIGNED") is None
    assert province_of_branch(None) is None


def test_two_provinces_policies_may_run_at_once_and_each_worker_gets_their_own() -> None:
    other = dataclasses.replace(NQ37, code="NQ-87", province_code="87")
    both = (*REGIMES, other)
    check_no_overlaps(both)
    assert route(both, ask()).regime.code == "NQ37-2016-VL"
    assert route(both, ask(province_code="87")).regime.code == "NQ-87"
    same_province = dataclasses.replace(NQ37, code="NQ37-BIS")
    with pytest.raises(ValueError, match="overlap"):
        check_no_overlaps((*REGIMES, same_province))
