"""Loan regimes over HTTP: read them; labour officers and bank managers add or close them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, status
from pydantic import ConfigDict
from xkld_shared.http.strict import RequestModel
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_loans.application.regime_book import RegimeBook
from xkld_loans.domain.regime_model import Regime
from xkld_loans.entrypoints.http import Applications, context_of

PolicyStaff = Annotated[Principal, Depends(require(Role.LABOUR_OFFICER, Role.BANK_MANAGER))]
Readers = Annotated[
    Principal, Depends(require(Role.LABOUR_OFFICER, Role.BANK_MANAGER, Role.LOAN_OFFICER))
]

router = APIRouter(prefix="/regimes", tags=["loan regimes"])

_EXAMPLE = {
    "code": "ND-EXAMPLE-2027",
    "name": "Ví dụ: chế độ vay mới",
    "legal_basis": "Nghị định .../2027/NĐ-CP",
    "programme": "labour_export",
    "effective_from": "2027-01-01",
    "effective_to": None,
    "eligible_groups": None,
    "max_share_of_costs": "1",
    "absolute_cap_vnd": None,
    "collateral_threshold_vnd": 200000000,
    "no_collateral_groups": [],
    "poor_household_monthly_rate": "0.0055",
    "rate_factor_by_group": {"default": "1.27"},
    "overdue_factor": "1.3",
    "max_term_months": None,
    "source_notes": ["Nguồn: ..."],
}


def regime_view(book: RegimeBook, regime: Regime) -> dict[str, Any]:
    return {
        "code": regime.code,
        "name": regime.name,
        "legal_basis": regime.legal_basis,
        "programme": regime.programme,
        "effective_from": regime.effective_from,
        "effective_to": regime.effective_to,
        "origin": book.origin(regime),
        "source_notes": list(regime.source_notes),
        "source_notes_vi": list(regime.source_notes_vi),
        # Figures the sources do not give: the data leaves them empty and says so here.
        "unknown": list(regime.unknown),
        "province_code": regime.province_code,
        "only_without_central_funding": regime.only_without_central_funding,
        "capital_pool": regime.capital_pool,
        "lending_channel": regime.lending_channel,
    }


@router.get("", summary="Các chế độ cho vay (đã ban hành và đã thêm)")
async def list_regimes(service: Applications, reader: Readers) -> list[dict[str, Any]]:
    book = service.regimes
    async with service.pool.acquire() as conn:
        regimes = await book.current(conn)
    return [
        regime_view(book, r) for r in sorted(regimes, key=lambda r: (r.programme, r.effective_from))
    ]


@router.post("", status_code=status.HTTP_201_CREATED, summary="Thêm một chế độ cho vay")
async def add_regime(
    request: Request,
    service: Applications,
    staff: PolicyStaff,
    document: Annotated[dict[str, Any], Body(examples=[_EXAMPLE])],
) -> dict[str, Any]:
    """The body has the shape of an entry of `regimes.json` (decimals as strings). Its dates
    may not overlap another regime of the same programme (409)."""
    book = service.regimes
    async with service.pool.acquire() as conn, conn.transaction():
        regime = await book.add(conn, document, context_of(request, staff))
    return regime_view(book, regime)


class ClosureRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")

    effective_to: dt.date


@router.post("/{code}/closure", summary="Đóng (kết thúc hiệu lực) một chế độ cho vay")
async def close_regime(
    code: str, body: ClosureRequest, request: Request, service: Applications, staff: PolicyStaff
) -> dict[str, Any]:
    """Sets the (exclusive) end date; it may only shorten the regime. Stored evaluations keep
    the rules they were made under."""
    book = service.regimes
    async with service.pool.acquire() as conn, conn.transaction():
        regime = await book.close(conn, code, body.effective_to, context_of(request, staff))
    return regime_view(book, regime)
