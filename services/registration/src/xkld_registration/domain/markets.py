"""Destination markets (Japan TITP, Korea EPS, Taiwan, ...) and their age limits: data, not code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xkld_shared.errors import FieldProblem

from xkld_registration.domain.identity import age_on


@dataclass(frozen=True)
class Market:
    code: str
    country_vi: str
    programme: str
    min_age: int
    max_age: int | None
    typical_cost_vnd: int | None
    active: bool = True


def unknown_market(code: str) -> FieldProblem:
    return FieldProblem(
        "desired_market",
        f"Thị trường '{code}' không có trong danh mục thị trường đang tiếp nhận",
        f"Market '{code}' is not in the list of open markets",
    )


def market_age_problem(market: Market, date_of_birth: dt.date, on: dt.date) -> FieldProblem | None:
    """None when the worker's age on `on` is within the market's limits."""
    age = age_on(date_of_birth, on)
    too_young = age < market.min_age
    too_old = market.max_age is not None and age > market.max_age
    if not (too_young or too_old):
        return None
    upper = "" if market.max_age is None else f"–{market.max_age}"
    upper_en = "" if market.max_age is None else f"-{market.max_age}"
    return FieldProblem(
        "desired_market",
        f"Thị trường {market.country_vi} ({market.programme}) nhận người từ {market.min_age}"
        f"{upper} tuổi; người lao động {age} tuổi",
        f"{market.country_vi} ({market.programme}) takes workers aged {market.min_age}"
        f"{upper_en}; the worker is {age}",
    )
