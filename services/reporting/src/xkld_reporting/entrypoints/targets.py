"""Targets (chỉ tiêu): read, set by JSON, or upload as CSV/XLSX in the template's layout."""

from __future__ import annotations

from typing import Any

import asyncpg
from fastapi import APIRouter, Request, Response
from pydantic import Field
from xkld_shared.audit import ChangeContext
from xkld_shared.http.app import correlation_id_of
from xkld_shared.http.strict import RequestModel

from xkld_reporting.adapters import target_store
from xkld_reporting.adapters.admin_units import AdminUnits
from xkld_reporting.application.targets import (
    InvalidTargetFile,
    parse_upload,
    save_targets,
    template_csv,
    to_targets,
)
from xkld_reporting.domain.progress import Indicator
from xkld_reporting.domain.target_row import TargetRow
from xkld_reporting.entrypoints.params import AreaCode, Pool, Units, Year
from xkld_reporting.entrypoints.scope import (
    ReportReader,
    TargetSetter,
    check_target_area,
    resolve_area,
)

router = APIRouter(prefix="/targets", tags=["targets"])
MAX_UPLOAD_BYTES = 2_000_000


class TargetIn(RequestModel):
    area_code: str = Field(pattern=r"^(\d{2}|\d{5})$")
    year: int = Field(ge=2000, le=2100)
    quarter: int | None = Field(default=None, ge=1, le=4, description="empty: the whole year")
    indicator: Indicator
    market: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,40}$")
    value: int = Field(ge=0, le=10**15)


class TargetsIn(RequestModel):
    targets: list[TargetIn] = Field(min_length=1, max_length=5000)


def _context(request: Request, principal: Any) -> ChangeContext:
    client = request.client.host if request.client else None
    return ChangeContext(principal, client, correlation_id_of(request))


async def _save(
    request: Request, pool: asyncpg.Pool, units: AdminUnits, principal: Any, rows: list[TargetRow]
) -> dict[str, int]:
    for row in rows:
        check_target_area(principal, units, row.area_code)
    changed = await save_targets(pool, target_store, _context(request, principal), rows)
    return {"received": len(rows), "changed": changed}


@router.post("")
async def set_targets(
    body: TargetsIn, request: Request, pool: Pool, units: Units, principal: TargetSetter
) -> dict[str, int]:
    """Set (insert or replace) targets. Unchanged values are not re-audited."""
    rows = [_row_of(t) for t in body.targets]
    return await _save(request, pool, units, principal, rows)


def _row_of(t: TargetIn) -> TargetRow:
    return TargetRow(t.area_code, t.year, t.quarter or 0, t.indicator, t.market or "", t.value)


@router.post("/import")
async def import_targets(
    request: Request, pool: Pool, units: Units, principal: TargetSetter
) -> dict[str, int]:
    """Upload the template filled in: CSV (UTF-8) or XLSX as the request body."""
    content = await request.body()
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidTargetFile(1, "tệp quá lớn (tối đa 2 MB)", "the file is too large (2 MB max)")
    lines = parse_upload(content, request.headers.get("content-type", ""))
    return await _save(request, pool, units, principal, to_targets(lines))


@router.get("/template.csv")
async def template(principal: ReportReader) -> Response:
    return Response(
        template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="mau-chi-tieu.csv"'},
    )


@router.get("")
async def list_targets(
    pool: Pool,
    units: Units,
    principal: ReportReader,
    area: AreaCode = None,
    year: Year = None,
) -> dict[str, Any]:
    code = resolve_area(principal, units, area)
    areas = [code, *units.communes_of(code)] if len(code) == 2 else [code]
    async with pool.acquire() as conn:
        return {"area_code": code, "targets": await target_store.of_areas(conn, areas, year)}
