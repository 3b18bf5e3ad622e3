"""The provincial capital pools over HTTP: the report per year, and recording an allocation."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request, status
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field
from xkld_shared import idempotency
from xkld_shared.errors import NotFound
from xkld_shared.http.idempotent import idempotent_response
from xkld_shared.http.strict import RequestModel
from xkld_shared.http.wiring import from_app_state
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_loans.application.capital_pool import Allocate, CapitalPools
from xkld_loans.domain.capital_pool import province_of_branch
from xkld_loans.entrypoints.http import context_of

Manager = Annotated[Principal, Depends(require(Role.BANK_MANAGER))]
Readers = Annotated[
    Principal, Depends(require(Role.LOAN_OFFICER, Role.BANK_MANAGER, Role.LABOUR_OFFICER))
]
Pools = Annotated[CapitalPools, Depends(from_app_state("capital_pools", CapitalPools))]
ProvinceCode = Annotated[str, Path(pattern=r"^\d{2}$")]

router = APIRouter(prefix="/capital-pools", tags=["capital pools"])


class PoolNotFound(NotFound):
    code = "capital_pool_not_found"

    def __init__(self) -> None:
        super().__init__("Không có nguồn vốn của tỉnh này", "No capital pool of this province")


def _check_province(staff: Principal, province_code: str) -> None:
    """Bank staff see their branch's province; labour officers their own province. Another
    province's pool does not exist for them, as another branch's application does not."""
    own = {province_of_branch(staff.scope.branch), staff.scope.province} - {None}
    if province_code not in own:
        raise PoolNotFound


class AllocationRequest(RequestModel):
    model_config = ConfigDict(extra="forbid")

    year: int = Field(strict=True, ge=2000, le=2100)
    amount_vnd: int = Field(strict=True, gt=0, le=10_000_000_000_000)
    allocated_on: dt.date
    # The provincial decision that allocated the money (e.g. "Quyết định .../QĐ-UBND").
    decision_ref: str | None = Field(
        default=None, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$"
    )


@router.get("/{province_code}", summary="Nguồn vốn của tỉnh theo năm: cấp, đã cho vay, thu hồi")
async def pool_report(province_code: ProvinceCode, pools: Pools, staff: Readers) -> dict[str, Any]:
    """Per year: the allocation, what approved loans drew (`lent_vnd`), principal repaid during
    the year (`repaid_vnd`) and what is left to lend (`available_vnd`), with totals."""
    _check_province(staff, province_code)
    async with pools.pool.acquire() as conn:
        years = await pools.years(conn, province_code)
    rows = [y.as_dict() for y in years]
    return {"province_code": province_code, "years": rows, "totals": _totals(rows)}


def _totals(rows: list[dict[str, int | str]]) -> dict[str, int]:
    keys = ("allocated_vnd", "lent_vnd", "repaid_vnd", "available_vnd")
    return {key: sum(int(row[key]) for row in rows) for key in keys}


@router.post(
    "/{province_code}/allocations",
    status_code=status.HTTP_201_CREATED,
    summary="Ghi nhận vốn ngân sách tỉnh ủy thác qua NHCSXH trong năm",
)
async def record_allocation(
    province_code: ProvinceCode,
    body: AllocationRequest,
    request: Request,
    pools: Pools,
    manager: Manager,
    idempotency_key: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    """Adds to the year's pool (several allocations in one year add up). A retry with the same
    Idempotency-Key records nothing new."""
    key = idempotency.checked_key(idempotency_key)
    _check_province(manager, province_code)
    cmd = Allocate(province_code, body.year, body.amount_vnd, body.allocated_on, body.decision_ref)
    return idempotent_response(await pools.allocate_once(cmd, key, context_of(request, manager)))
