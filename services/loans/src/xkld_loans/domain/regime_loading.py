"""Reading and validating regimes documents (the shape of ``regimes.json``)."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from importlib import resources

from xkld_loans.domain.regime_model import Regime, TopUp


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

    def has(self, key: str) -> bool:
        return key in self._raw

    def flag(self, key: str) -> bool:
        """An optional true/false, false when absent (older documents lack it)."""
        value = self._raw.get(key, False)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def optional_text(self, key: str) -> str | None:
        return self.text(key) if self._raw.get(key) is not None else None

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
        # Optional: only provincial regimes carry these.
        province_code=f.optional_text("province_code"),
        only_without_central_funding=f.flag("only_without_central_funding"),
        capital_pool=f.flag("capital_pool"),
        lending_channel=f.optional_text("lending_channel"),
        unknown=f.notes("unknown") if f.has("unknown") else (),
        source_notes_vi=f.notes("source_notes_vi") if f.has("source_notes_vi") else (),
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

    Two regimes in force on one day would make the choice of rules ambiguous. Provincial
    regimes are per province: two provinces' policies may run at the same time.
    """
    _check_unique_codes(regimes)
    for family in _families(regimes):
        _check_each_ends_before_the_next(family)


def _check_unique_codes(regimes: Sequence[Regime]) -> None:
    codes = [regime.code for regime in regimes]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ValueError(f"duplicate regime codes {duplicates}")


def _families(regimes: Sequence[Regime]) -> list[list[Regime]]:
    """The regimes of each programme (of each province, for provincial ones), oldest first."""
    return [
        sorted((r for r in regimes if _family_of(r) == key), key=lambda r: r.effective_from)
        for key in sorted({_family_of(r) for r in regimes})
    ]


def _family_of(regime: Regime) -> tuple[str, str]:
    return regime.programme, regime.province_code or ""


def _check_each_ends_before_the_next(family: list[Regime]) -> None:
    for earlier, later in itertools.pairwise(family):
        if earlier.effective_to is None or earlier.effective_to > later.effective_from:
            raise ValueError(
                f"regimes {earlier.code} and {later.code} overlap in programme {earlier.programme}"
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
