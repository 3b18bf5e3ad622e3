"""The evaluation of a loan ask against the regime in force: caps, rate, collateral, top-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from xkld_loans.domain.regime_model import (
    DEFAULT_FACTOR_KEY,
    RATE_PLACES,
    Regime,
    TopUp,
    check_groups,
)


@dataclass(frozen=True)
class LoanAsk:
    programme: str
    application_date: dt.date
    priority_groups: frozenset[str]
    contract_costs_vnd: int  # pre-departure costs on the contract
    requested_vnd: int
    requested_term_months: int
    contract_term_months: int
    province_code: str | None = None  # permanent residence: decides provincial top-ups/regimes
    # Whether the worker gets a loan from central sources: "covered", "not_covered", or None
    # (not stated). Only "not_covered" lets a provincial regime lend (provincial_routing).
    central_funding: str | None = None


@dataclass(frozen=True)
class Evaluation:
    regime_code: str
    eligible: bool
    reasons: tuple[str, ...]  # bilingual "vi / en": why ineligible or why capped
    max_amount_vnd: int
    collateral_required: bool
    monthly_rate: Decimal | None  # None when the regime's rate is unknown
    overdue_monthly_rate: Decimal | None
    max_term_months: int
    # A provincial interest subsidy in force for this worker, if any (configuration).
    top_up_code: str | None = None
    subsidised_share_of_interest: Decimal | None = None
    # Why this regime and not another (provincial_routing): a rule code and a "vi / en" reason.
    routing_rule: str | None = None
    routing_reason: str | None = None
    # A loan of a pool-funded regime draws on the province's pool of the application's year.
    pool_province_code: str | None = None
    pool_year: int | None = None


def _vnd_vi(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đ"


def _vnd_en(amount: int) -> str:
    return f"{amount:,} VND"


def share_of_costs_vnd(regime: Regime, contract_costs_vnd: int) -> int:
    # Floored: rounding up could lend a đồng more than the share the decree allows.
    share = (Decimal(contract_costs_vnd) * regime.max_share_of_costs).to_integral_value(ROUND_DOWN)
    return max(0, int(share))


def max_amount_vnd(regime: Regime, contract_costs_vnd: int) -> int:
    share = share_of_costs_vnd(regime, contract_costs_vnd)
    cap = regime.absolute_cap_vnd
    return share if cap is None else min(share, cap)


def max_term_months(regime: Regime, contract_term_months: int) -> int:
    term = max(0, contract_term_months)
    return term if regime.max_term_months is None else min(term, regime.max_term_months)


def collateral_required(regime: Regime, ask: LoanAsk) -> bool:
    threshold = regime.collateral_threshold_vnd
    if threshold is None or ask.requested_vnd <= threshold:
        return False
    return not (ask.priority_groups & regime.no_collateral_groups)


def monthly_rate(regime: Regime, groups: frozenset[str]) -> Decimal | None:
    """The reference rate times the worker's best factor; None when either is unknown."""
    if regime.poor_household_monthly_rate is None:
        return None
    own = [factor for group, factor in regime.rate_factor_by_group.items() if group in groups]
    factor = min(own) if own else regime.rate_factor_by_group.get(DEFAULT_FACTOR_KEY)
    if factor is None:
        return None
    return (regime.poor_household_monthly_rate * factor).quantize(RATE_PLACES, ROUND_HALF_UP)


def overdue_rate(regime: Regime, rate: Decimal | None) -> Decimal | None:
    if rate is None:
        return None
    return (rate * regime.overdue_factor).quantize(RATE_PLACES, ROUND_HALF_UP)


def _group_reasons(regime: Regime, ask: LoanAsk) -> list[str]:
    if regime.eligible_groups is None or ask.priority_groups & regime.eligible_groups:
        return []
    return [
        "Người lao động không thuộc nhóm đối tượng được vay của chính sách này"
        " / The worker is in none of this regime's eligible groups"
    ]


def _provincial_reasons(regime: Regime, ask: LoanAsk) -> list[str]:
    reasons = []
    if regime.province_code is not None and ask.province_code != regime.province_code:
        reasons.append(
            f"Người lao động không có hộ khẩu thường trú tại tỉnh {regime.province_code}"
            f" / The worker has no permanent residence in province {regime.province_code}"
        )
    if regime.only_without_central_funding and ask.central_funding != "not_covered":
        reasons.append(
            "Chính sách này chỉ cho vay người không được vay từ nguồn vốn trung ương"
            " / This regime lends only to workers who get no loan from central sources"
        )
    return reasons


def _amount_reasons(regime: Regime, ask: LoanAsk, maximum: int) -> list[str]:
    reasons = []
    if maximum < share_of_costs_vnd(regime, ask.contract_costs_vnd):
        reasons.append(
            f"Mức vay tối đa bị giới hạn ở mức trần {_vnd_vi(maximum)}"
            f" / The maximum is capped at the regime's ceiling of {_vnd_en(maximum)}"
        )
    if ask.requested_vnd <= 0:
        reasons.append("Số tiền đề nghị vay phải lớn hơn 0 / The requested amount must be positive")
    elif ask.requested_vnd > maximum:
        reasons.append(
            f"Số tiền đề nghị vay vượt mức tối đa {_vnd_vi(maximum)}"
            f" / The requested amount exceeds the maximum of {_vnd_en(maximum)}"
        )
    return reasons


def _term_reasons(ask: LoanAsk, maximum: int) -> list[str]:
    if ask.requested_term_months <= 0:
        return ["Thời hạn đề nghị vay phải lớn hơn 0 / The requested term must be positive"]
    if ask.requested_term_months > maximum:
        return [
            f"Thời hạn đề nghị vay vượt thời hạn tối đa {maximum} tháng"
            f" / The requested term exceeds the maximum of {maximum} months"
        ]
    return []


def _check_ask_fits(regime: Regime, ask: LoanAsk) -> None:
    # A mismatch is a caller's bug (the wrong regime was chosen), not an ineligible worker.
    if ask.programme != regime.programme:
        raise ValueError(f"ask is for {ask.programme}, regime {regime.code} is {regime.programme}")
    if not regime.in_force_on(ask.application_date):
        raise ValueError(f"regime {regime.code} is not in force on {ask.application_date}")
    check_groups(ask.priority_groups, "loan ask")


def top_up_for(top_ups: Sequence[TopUp], ask: LoanAsk) -> TopUp | None:
    """The province's subsidy in force on the application date for the worker's groups.

    Where two would apply, the larger share wins: a worker is never given the lesser help.
    """
    fitting = [t for t in top_ups if _top_up_fits(t, ask)]
    return max(fitting, key=lambda t: t.subsidised_share_of_interest, default=None)


def _top_up_fits(t: TopUp, ask: LoanAsk) -> bool:
    return (
        t.province_code == ask.province_code
        and t.effective_from <= ask.application_date
        and (t.effective_to is None or ask.application_date < t.effective_to)
        and (t.eligible_groups is None or bool(t.eligible_groups & ask.priority_groups))
    )


def split_interest(interest_vnd: int, total_vnd: int, share: Decimal) -> dict[str, int]:
    """What a provincial subsidy pays of one instalment's interest (half-up to the đồng),
    and what is left for the worker to pay."""
    province = int((Decimal(interest_vnd) * share).to_integral_value(ROUND_HALF_UP))
    return {"province_pays_vnd": province, "worker_pays_vnd": total_vnd - province}


def evaluate(regime: Regime, ask: LoanAsk, top_ups: Sequence[TopUp] = ()) -> Evaluation:
    _check_ask_fits(regime, ask)
    amount_cap = max_amount_vnd(regime, ask.contract_costs_vnd)
    term_cap = max_term_months(regime, ask.contract_term_months)
    refusals = _refusals(regime, ask, term_cap)
    amount_reasons = _amount_reasons(regime, ask, amount_cap)
    rate = monthly_rate(regime, ask.priority_groups)
    top_up = top_up_for(top_ups, ask)
    eligible = not refusals and 0 < ask.requested_vnd <= amount_cap
    return Evaluation(
        regime_code=regime.code,
        eligible=eligible,
        reasons=tuple(refusals + amount_reasons),
        max_amount_vnd=amount_cap,
        collateral_required=collateral_required(regime, ask),
        monthly_rate=rate,
        overdue_monthly_rate=overdue_rate(regime, rate),
        max_term_months=term_cap,
        top_up_code=None if top_up is None else top_up.code,
        subsidised_share_of_interest=_subsidised_share(top_up),
        pool_province_code=regime.province_code if regime.capital_pool else None,
        pool_year=ask.application_date.year if regime.capital_pool else None,
    )


def _refusals(regime: Regime, ask: LoanAsk, term_cap: int) -> list[str]:
    """Why the worker may not borrow at all under this regime, whatever the amount."""
    groups, province = _group_reasons(regime, ask), _provincial_reasons(regime, ask)
    return groups + province + _term_reasons(ask, term_cap)


def _subsidised_share(top_up: TopUp | None) -> Decimal | None:
    return None if top_up is None else top_up.subsidised_share_of_interest
