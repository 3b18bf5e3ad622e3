"""Which regime an ask goes to: the central one, or a provincial one such as Vĩnh Long's NQ 37.

A provincial regime (programme ``labour_export_provincial``) lends from the province's own
money, and only to workers who get no loan from central sources. So an ask for
``labour_export`` goes to it only when every condition holds: a provincial regime is in force
on the application date for the worker's province of permanent residence, the worker is stated
to get no central loan, and they are in one of its listed groups. Otherwise the central regime
lends. Either way the evaluation keeps the rule that decided, with a bilingual reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from xkld_loans.domain.regime_evaluation import LoanAsk
from xkld_loans.domain.regime_model import (
    PROVINCIAL_PROGRAMME,
    NoRegimeInForce,
    Regime,
    regime_in_force,
)

CENTRAL_PROGRAMME = "labour_export"
CENTRAL_FUNDING = frozenset({"covered", "not_covered"})


@dataclass(frozen=True)
class Route:
    regime: Regime
    ask: LoanAsk  # the ask as the chosen regime evaluates it (its programme)
    rule: str | None
    reason: str | None


def _provincial_in_force(regimes: Sequence[Regime], ask: LoanAsk) -> Regime | None:
    """The policy of the worker's province of residence in force on the date, if any."""
    own = [
        r for r in regimes if r.province_code is not None and r.province_code == ask.province_code
    ]
    try:
        return regime_in_force(own, PROVINCIAL_PROGRAMME, ask.application_date)
    except NoRegimeInForce:
        return None


def _why_central(provincial: Regime | None, ask: LoanAsk) -> tuple[str, str]:
    """The rule that keeps the ask with the central regime, and why, in both languages."""
    if provincial is None:
        return (
            "no_provincial_regime",
            "Không có chính sách vay của tỉnh nơi thường trú đang hiệu lực: vay vốn trung ương"
            " / No loan policy of the province of residence is in force: central funding",
        )
    if ask.central_funding == "covered":
        return (
            "central_funding_covered",
            "Người lao động được vay từ nguồn vốn trung ương: không vay vốn của tỉnh"
            " / The worker is covered by central funding, so not by the province's",
        )
    if ask.central_funding != "not_covered":
        return (
            "central_funding_not_stated",
            "Chưa xác định người lao động có được vay vốn trung ương hay không: vay vốn trung"
            " ương / Whether the worker gets central funding was not stated: central funding",
        )
    groups = provincial.eligible_groups
    return (
        "not_in_provincial_groups",
        f"Người lao động không thuộc nhóm được vay theo {provincial.legal_basis.split(';')[0]}"
        f" / The worker is in none of the groups listed by regime {provincial.code}"
        f" ({', '.join(sorted(groups or ()))})",
    )


def _provincial_fits(provincial: Regime | None, ask: LoanAsk) -> bool:
    return (
        provincial is not None
        and provincial.province_code == ask.province_code
        and ask.central_funding == "not_covered"
        and (
            provincial.eligible_groups is None
            or bool(provincial.eligible_groups & ask.priority_groups)
        )
    )


def route(regimes: Sequence[Regime], ask: LoanAsk) -> Route:
    """The regime for the ask. Raises NoRegimeInForce when none covers it, and ValueError when
    two regimes of one programme overlap (as ``regime_in_force``)."""
    programme = CENTRAL_PROGRAMME if ask.programme == PROVINCIAL_PROGRAMME else ask.programme
    ask = dataclasses.replace(ask, programme=programme)
    if programme != CENTRAL_PROGRAMME:
        return Route(regime_in_force(regimes, programme, ask.application_date), ask, None, None)
    provincial = _provincial_in_force(regimes, ask)
    if _provincial_fits(provincial, ask):
        assert provincial is not None
        reason = (
            f"Chọn {provincial.code}: thường trú tại tỉnh {provincial.province_code}, thuộc nhóm"
            " được vay và không được vay vốn trung ương"
            f" / {provincial.code} chosen: permanent resident of province"
            f" {provincial.province_code}, in a listed group, and no central funding"
        )
        provincial_ask = dataclasses.replace(ask, programme=PROVINCIAL_PROGRAMME)
        return Route(provincial, provincial_ask, "provincial_no_central_funding", reason)
    rule, reason = _why_central(provincial, ask)
    return Route(regime_in_force(regimes, programme, ask.application_date), ask, rule, reason)
