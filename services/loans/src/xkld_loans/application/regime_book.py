"""The regimes in force: the shipped data, plus regimes added and closures set through the API.

Every change takes one advisory lock, so two officers adding overlapping regimes at once
cannot both succeed; each is audited. Evaluations already stored are never rewritten.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from xkld_shared.audit import ChangeContext, record_change
from xkld_shared.db.pool import Conn
from xkld_shared.errors import Conflict, NotFound

from xkld_loans.application.ports import RegimeRecords
from xkld_loans.domain.problems import invalid
from xkld_loans.domain.regime_loading import check_no_overlaps, parse_regime
from xkld_loans.domain.regime_model import Regime


class RegimesOverlap(Conflict):
    code = "regimes_overlap"


class RegimesAmbiguous(Conflict):
    code = "regimes_ambiguous"

    def __init__(self, detail: object) -> None:
        super().__init__(
            "Hai chế độ vay cùng chương trình trùng thời gian hiệu lực;"
            f" cần đóng một chế độ ({detail})",
            f"Two regimes of one programme overlap; one of them must be closed ({detail})",
        )


class RegimeNotFound(NotFound):
    code = "regime_not_found"

    def __init__(self) -> None:
        super().__init__("Không có chế độ vay này", "No such loan regime")


class RegimeBook:
    def __init__(self, shipped: Sequence[Regime], records: RegimeRecords) -> None:
        self._records = records
        self._shipped = tuple(shipped)
        self._shipped_codes = {r.code for r in shipped}

    async def current(self, conn: Conn) -> tuple[Regime, ...]:
        added = await self._records.added_documents(conn)
        closures = await self._records.closures(conn)
        regimes = [*self._shipped, *(parse_regime(document) for document in added)]
        return tuple(_closed(r, closures.get(r.code)) for r in regimes)

    def origin(self, regime: Regime) -> str:
        return "shipped" if regime.code in self._shipped_codes else "added"

    async def add(self, conn: Conn, document: dict[str, Any], context: ChangeContext) -> Regime:
        _check_text(document)
        try:
            regime = parse_regime(document)
        except (ValueError, KeyError, TypeError) as exc:
            raise invalid(
                "regime", f"Chế độ vay không hợp lệ: {exc}", f"Invalid regime: {exc}"
            ) from None
        await self._records.lock(conn)
        await self._check_fits(conn, regime, replacing=None)
        await self._records.add(conn, regime.code, document, context.actor.subject)
        await _audit(conn, context, "loan.regime_added", regime.code, {}, _view(regime))
        return regime

    async def close(
        self, conn: Conn, code: str, effective_to: dt.date, context: ChangeContext
    ) -> Regime:
        await self._records.lock(conn)
        before = next((r for r in await self.current(conn) if r.code == code), None)
        if before is None:
            raise RegimeNotFound
        if effective_to <= before.effective_from or (
            before.effective_to is not None and effective_to > before.effective_to
        ):
            raise invalid(
                "effective_to",
                "Ngày kết thúc phải sau ngày bắt đầu và không kéo dài chế độ đã đóng",
                "The end date must follow the start and may only shorten the regime",
            )
        await self._records.close(conn, code, effective_to, context.actor.subject)
        after = dataclasses.replace(before, effective_to=effective_to)
        await _audit(conn, context, "loan.regime_closed", code, _view(before), _view(after))
        return after

    async def verify(self, conn: Conn) -> None:
        """Raises RegimesAmbiguous when the regimes in force overlap (e.g. a release shipped a
        decree that was also added through the API): the bank must close one of them."""
        try:
            check_no_overlaps(await self.current(conn))
        except ValueError as exc:
            raise RegimesAmbiguous(exc) from None

    async def _check_fits(self, conn: Conn, regime: Regime, replacing: str | None) -> None:
        others = [r for r in await self.current(conn) if r.code != replacing]
        if any(r.code == regime.code for r in others):
            raise RegimesOverlap(
                f"Đã có chế độ vay mã {regime.code}", f"A regime coded {regime.code} exists"
            )
        try:
            check_no_overlaps([*others, regime])
        except ValueError as exc:
            raise RegimesOverlap(
                f"Thời gian hiệu lực trùng với chế độ khác cùng chương trình ({exc})",
                f"The dates overlap another regime of the same programme ({exc})",
            ) from None


_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


def _check_text(document: dict[str, Any]) -> None:
    """Codes travel in URLs, events and spreadsheets; no text may hide control characters."""
    if not isinstance(document.get("code"), str) or not _CODE.match(document["code"]):
        raise invalid(
            "code",
            "Mã chế độ chỉ gồm chữ, số và . _ - (tối đa 40 ký tự)",
            "The code may hold letters, digits and . _ - only (up to 40)",
        )
    if any(ch < " " for text in _texts(document) for ch in text):
        raise invalid("regime", "Có ký tự điều khiển trong dữ liệu", "Control characters in text")


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in [*_texts(k), *_texts(v)]]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _closed(regime: Regime, effective_to: dt.date | None) -> Regime:
    return (
        regime if effective_to is None else dataclasses.replace(regime, effective_to=effective_to)
    )


def _view(regime: Regime) -> dict[str, object]:
    return {
        "code": regime.code,
        "programme": regime.programme,
        "effective_from": regime.effective_from.isoformat(),
        "effective_to": None if regime.effective_to is None else regime.effective_to.isoformat(),
    }


async def _audit(
    conn: Conn,
    context: ChangeContext,
    action: str,
    code: str,
    before: dict[str, object],
    after: dict[str, object],
) -> None:
    await record_change(
        conn,
        context,
        action=action,
        entity_type="loan_regime",
        entity_id=code,
        before=before,
        after=after,
    )
