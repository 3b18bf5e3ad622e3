"""Who may read which area's aggregates, and who may set its targets."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from xkld_shared.errors import InvalidInput, NotAllowed
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_reporting.adapters.admin_units import AdminUnits

# Aggregates only, no personal data: anyone whose work is the programme's progress may read.
ReportReader = Annotated[
    Principal,
    Depends(require(Role.REPORT_VIEWER, Role.LABOUR_OFFICER, Role.COMMUNE_OFFICER)),
]
TargetSetter = Annotated[Principal, Depends(require(Role.LABOUR_OFFICER))]


class OutsideYourArea(NotAllowed):
    code = "outside_your_area"

    def __init__(self, area: str) -> None:
        super().__init__(
            f"Địa bàn {area} nằm ngoài phạm vi được giao cho tài khoản của bạn",
            f"Area {area} is outside the area your account covers",
        )


class UnknownArea(InvalidInput):
    code = "unknown_area"

    def __init__(self, area: str) -> None:
        super().__init__(
            f"Không có địa bàn mã {area} (dùng mã tỉnh 2 số hoặc mã xã 5 số sau sáp nhập 2025)",
            f"No area with code {area} (use a 2-digit province or 5-digit post-2025 commune code)",
        )


class AreaRequired(InvalidInput):
    code = "area_required"

    def __init__(self) -> None:
        super().__init__(
            "Hãy chọn địa bàn (tham số area: mã tỉnh hoặc mã xã)",
            "Choose an area (parameter area: a province or commune code)",
        )


def unscoped(principal: Principal) -> bool:
    """A report viewer given no scope reads the whole programme (aggregates only)."""
    s = principal.scope
    return Role.REPORT_VIEWER in principal.roles and not s.communes and s.province is None


def resolve_area(principal: Principal, units: AdminUnits, area: str | None) -> str:
    """The area asked for (or the caller's own), checked to exist and to be within scope."""
    if area is None:
        area = _own_area(principal)
    if len(area) == 2:
        _check_province(principal, units, area)
    else:
        _check_commune(principal, units, area)
    return area


def _own_area(principal: Principal) -> str:
    """The caller's province, or their commune when they have exactly one."""
    if principal.scope.province:
        return principal.scope.province
    if len(principal.scope.communes) == 1:
        return next(iter(principal.scope.communes))
    raise AreaRequired


def _check_province(principal: Principal, units: AdminUnits, area: str) -> None:
    if area not in units.province_name:
        raise UnknownArea(area)
    if not (unscoped(principal) or principal.scope.province == area):
        raise OutsideYourArea(area)


def _check_commune(principal: Principal, units: AdminUnits, area: str) -> None:
    if area not in units.commune_province:
        raise UnknownArea(area)
    if not _covers_commune(principal, area, units.commune_province[area]):
        raise OutsideYourArea(area)


def _covers_commune(principal: Principal, commune: str, province: str) -> bool:
    return (
        unscoped(principal)
        or commune in principal.scope.communes
        or principal.scope.province == province
    )


def check_target_area(principal: Principal, units: AdminUnits, area: str) -> None:
    """A labour officer sets targets for their province and its communes only."""
    if area not in units.province_name and area not in units.commune_province:
        raise UnknownArea(area)
    province = area if len(area) == 2 else units.commune_province[area]
    if principal.scope.province != province:
        raise OutsideYourArea(area)
