"""Looking up a commune as it is typed (the intake form's picker)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_registration.domain.commune_search import suggest
from xkld_registration.entrypoints.openapi import READ_ERRORS
from xkld_registration.entrypoints.wiring import Communes

Anyone = Annotated[Principal, Depends(require(*Role))]
router = APIRouter(prefix="/communes", tags=["communes"])


@router.get("", summary="Tìm xã/phường theo mã hoặc tên (cả mã, tên cũ)", responses=READ_ERRORS)
async def find_communes(
    communes: Communes, _: Anyone, q: Annotated[str, Query(min_length=1, max_length=100)]
) -> list[dict[str, Any]]:
    """Xã/phường hiện hành khớp mã hoặc tên (không dấu cũng được); mã hoặc tên trước
    01/07/2025 được gợi ý kèm xã/phường mới đã thay thế nó."""
    found = suggest(q, communes.current_units(), communes.legacy_units())
    return [dataclasses.asdict(s) for s in found]
