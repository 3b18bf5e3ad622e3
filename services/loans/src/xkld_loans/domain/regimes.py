"""VBSP loan regimes as versioned policy data, and the evaluation of a loan ask against one.

Loan rules change by decree, so the figures live in ``regimes.json`` with effective date
ranges, not in code. A figure the design does not give is ``None`` (or absent) in the data,
with a source note; evaluation then reports it as unknown instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources
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
PROGRAMMES: frozenset[str] = frozenset(
    {"labour_export", "labour_export_poor_district", "korea_eps_deposit"}
)
# The key of rate_factor_by_group for workers in none of the listed groups.
DEFAULT_FACTOR_KEY = "default"
RATE_PLACES = Decimal("0.000001")


def _check_groups(groups: Iterable[str], what: str) -> None:
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

    def __post_init__(self) -> None:
        # Invariants are checked here, so hand-built regimes (tests, tools) get them too.
        what = f"regime {self.code}"
        if self.programme not in PROGRAMMES:
            raise ValueError(f"{what}: unknown programme {self.programme!r}")
        _check_dates(self.effective_from, self.effective_to, what)
        _check_groups(self.eligible_groups or (), what)
        _check_groups(self.no_collateral_groups, what)
        _check_groups(set(self.rate_factor_by_group) - {DEFAULT_FACTOR_KEY}, what)
        if not Decimal(0) < self.max_share_of_costs <= Decimal(1):
            raise ValueError(f"{what}: max_share_of_costs must be in (0, 1]")
        if any(factor <= 0 for factor in self.rate_factor_by_group.values()):
            raise ValueError(f"{what}: rate factors must be positive")
        if self.overdue_factor < 1:
            raise ValueError(f"{what}: overdue_factor must be at least 1")
        self._check_amounts(what)
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
        _check_groups(self.eligible_groups or (), what)
        if not Decimal(0) < self.subsidised_share_of_interest <= Decimal(1):
            raise ValueError(f"{what}: subsidised_share_of_interest must be in (0, 1]")


class NoRegimeInForce(Exception):
    """No regime of the programme covers the date: the application cannot be evaluated."""


# --- loading and validation -------------------------------------------------------------


class _Fields:
    """Typed reads from one JSON object, with errors that name where the bad value is."""

    def __init__(self, raw: object, where: str) -> None:
        if not isinstance(raw, dict):
            raise ValueError(f"{where}: expected a JSON object")
        self._raw: dict[str, object] = raw
        self.where = where

    def _get(self, key: str) -> object:
        if key not in self._raw:
            raise ValueError(f"{self.where}: missing {key!r}")
        return self._raw[key]

    def _fail(self, key: str, expected: str) -> ValueError:
        return ValueError(f"{self.where}: {key!r} must be {expected}")

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not value.strip():
            raise self._fail(key, "a non-empty string")
        return value

    def date(self, key: str) -> dt.date:
        try:
            return dt.date.fromisoformat(self.text(key))
        except ValueError as exc:
            raise self._fail(key, "an ISO date") from exc

    def optional_date(self, key: str) -> dt.date | None:
        return None if self._get(key) is None else self.date(key)

    def optional_int(self, key: str) -> int | None:
        value = self._get(key)
        # bool is an int in Python; a JSON true must not pass as 1 đồng.
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise self._fail(key, "an integer or null")

    def decimal(self, key: str) -> Decimal:
        return self._to_decimal(key, self._get(key))

    def optional_decimal(self, key: str) -> Decimal | None:
        value = self._get(key)
        return None if value is None else self._to_decimal(key, value)

    def _to_decimal(self, key: str, value: object) -> Decimal:
        # Strings only: a JSON float would already have lost exactness when parsed.
        if not isinstance(value, str):
            raise self._fail(key, "a decimal string")
        try:
            parsed = Decimal(value)
        except InvalidOperation as exc:
            raise self._fail(key, "a decimal string") from exc
        if not parsed.is_finite():
            raise self._fail(key, "a finite decimal")
        return parsed

    def _strings(self, key: str) -> list[str]:
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._fail(key, "a list of strings")
        return value

    def groups(self, key: str) -> frozenset[str]:
        return frozenset(self._strings(key))

    def optional_groups(self, key: str) -> frozenset[str] | None:
        return None if self._get(key) is None else self.groups(key)

    def factors(self, key: str) -> dict[str, Decimal]:
        value = self._get(key)
        if not isinstance(value, dict):
            raise self._fail(key, "an object")
        inner = _Fields(value, f"{self.where}.{key}")
        return {group: inner.decimal(group) for group in value}

    def notes(self, key: str) -> tuple[str, ...]:
        return tuple(self._strings(key))

    def items(self, key: str) -> list[object]:
        value = self._get(key)
        if not isinstance(value, list):
            raise self._fail(key, "a list")
        return value


def parse_regime(raw: object) -> Regime:
    f = _Fields(raw, "regime")
    f.where = f"regime {f.text('code')}"
    return Regime(
        code=f.text("code"),
        name=f.text("name"),
        legal_basis=f.text("legal_basis"),
        programme=f.text("programme"),
        effective_from=f.date("effective_from"),
        effective_to=f.optional_date("effective_to"),
        eligible_groups=f.optional_groups("eligible_groups"),
        max_share_of_costs=f.decimal("max_share_of_costs"),
        absolute_cap_vnd=f.optional_int("absolute_cap_vnd"),
        collateral_threshold_vnd=f.optional_int("collateral_threshold_vnd"),
        no_collateral_groups=f.groups("no_collateral_groups"),
        poor_household_monthly_rate=f.optional_decimal("poor_household_monthly_rate"),
        rate_factor_by_group=f.factors("rate_factor_by_group"),
        overdue_factor=f.decimal("overdue_factor"),
        max_term_months=f.optional_int("max_term_months"),
        source_notes=f.notes("source_notes"),
    )


def parse_top_up(raw: object) -> TopUp:
    f = _Fields(raw, "top-up")
    f.where = f"top-up {f.text('code')}"
    return TopUp(
        code=f.text("code"),
        name=f.text("name"),
        legal_basis=f.text("legal_basis"),
        province_code=f.text("province_code"),
        effective_from=f.date("effective_from"),
        effective_to=f.optional_date("effective_to"),
        eligible_groups=f.optional_groups("eligible_groups"),
        subsidised_share_of_interest=f.decimal("subsidised_share_of_interest"),
        source_notes=f.notes("source_notes"),
    )


def check_no_overlaps(regimes: Sequence[Regime]) -> None:
    """Raise ValueError naming two regimes of one programme whose date ranges overlap.

    Two regimes in force on one day would make the choice of rules ambiguous.
    """
    codes = [regime.code for regime in regimes]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValueError(f"duplicate regime codes {duplicates}")
    for programme in sorted({regime.programme for regime in regimes}):
        ordered = sorted(
            (regime for regime in regimes if regime.programme == programme),
            key=lambda regime: regime.effective_from,
        )
        for earlier, later in itertools.pairwise(ordered):
            if earlier.effective_to is None or earlier.effective_to > later.effective_from:
                raise ValueError(
                    f"regimes {earlier.code} and {later.code} overlap in programme {programme}"
                )


def parse_document(text: str) -> tuple[tuple[Regime, ...], tuple[TopUp, ...]]:
    """Parse and validate a regimes document (the shape of ``regimes.json``)."""
    document = _Fields(json.loads(text), "regimes document")
    regimes = tuple(parse_regime(raw) for raw in document.items("regimes"))
    check_no_overlaps(regimes)
    top_ups = tuple(parse_top_up(raw) for raw in document.items("top_ups"))
    return regimes, top_ups


@functools.cache
def _packaged() -> tuple[tuple[Regime, ...], tuple[TopUp, ...]]:
    # Read once: the file ships with the package and cannot change while we run.
    text = resources.files(__package__).joinpath("regimes.json").read_text(encoding="utf-8")
    return parse_document(text)


def load_regimes() -> tuple[Regime, ...]:
    return _packaged()[0]


def load_top_ups() -> tuple[TopUp, ...]:
    return _packaged()[1]


def regime_in_force(regimes: Sequence[Regime], programme: str, on: dt.date) -> Regime:
    matches = [r for r in regimes if r.programme == programme and r.in_force_on(on)]
    if not matches:
        raise NoRegimeInForce(f"no {programme} regime is in force on {on.isoformat()}")
    if len(matches) > 1:
        raise ValueError(f"regimes {matches[0].code} and {matches[1].code} overlap on {on}")
    return matches[0]


# --- evaluation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanAsk:
    programme: str
    application_date: dt.date
    priority_groups: frozenset[str]
    contract_costs_vnd: int  # pre-departure costs on the contract
    requested_vnd: int
    requested_term_months: int
    contract_term_months: int
    province_code: str | None = None  # where the worker lives: decides provincial top-ups


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
    _check_groups(ask.priority_groups, "loan ask")


def top_up_for(top_ups: Sequence[TopUp], ask: LoanAsk) -> TopUp | None:
    """The province's subsidy in force on the application date for the worker's groups.

    Where two would apply, the larger share wins: a worker is never given the lesser help.
    """
    fitting = [
        t
        for t in top_ups
        if t.province_code == ask.province_code
        and t.effective_from <= ask.application_date
        and (t.effective_to is None or ask.application_date < t.effective_to)
        and (t.eligible_groups is None or bool(t.eligible_groups & ask.priority_groups))
    ]
    return max(fitting, key=lambda t: t.subsidised_share_of_interest, default=None)


def split_interest(interest_vnd: int, total_vnd: int, share: Decimal) -> dict[str, int]:
    """What a provincial subsidy pays of one instalment's interest (half-up to the đồng),
    and what is left for the worker to pay."""
    province = int((Decimal(interest_vnd) * share).to_integral_value(ROUND_HALF_UP))
    return {"province_pays_vnd": province, "worker_pays_vnd": total_vnd - province}


def evaluate(regime: Regime, ask: LoanAsk, top_ups: Sequence[TopUp] = ()) -> Evaluation:
    _check_ask_fits(regime, ask)
    amount_cap = max_amount_vnd(regime, ask.contract_costs_vnd)
    term_cap = max_term_months(regime, ask.contract_term_months)
    refusals = _group_reasons(regime, ask) + _term_reasons(ask, term_cap)
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
        subsidised_share_of_interest=None
        if top_up is None
        else top_up.subsidised_share_of_interest,
    )
