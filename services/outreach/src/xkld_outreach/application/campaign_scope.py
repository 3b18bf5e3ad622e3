"""Who may see and run which campaign: a commune officer the campaigns of their communes (and
runs those wholly inside them); a labour officer those of their province."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg
from xkld_shared.errors import NotAllowed, NotFound
from xkld_shared.identity.principal import Principal, Role


class CampaignNotFound(NotFound):
    code = "campaign_not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy chiến dịch", "No such campaign")


class OutsideYourArea(NotAllowed):
    code = "outside_your_area"

    def __init__(self) -> None:
        super().__init__(
            "Chiến dịch chỉ gồm các xã/phường trong phạm vi của bạn",
            "A campaign may only cover communes within your area",
        )


def may_cover(actor: Principal, communes: Iterable[str], province: str) -> bool:
    if Role.LABOUR_OFFICER in actor.roles and actor.scope.province == province:
        return True
    return Role.COMMUNE_OFFICER in actor.roles and set(communes) <= actor.scope.communes


def check_covers(actor: Principal, communes: Iterable[str], province: str) -> None:
    if not may_cover(actor, communes, province):
        raise OutsideYourArea


def readable(actor: Principal, row: asyncpg.Record | None) -> asyncpg.Record:
    """Out of scope reads as not found, as an unknown id does (no probing)."""
    if row is None or not any(
        actor.covers_commune(c, row["province_code"]) for c in row["communes"]
    ):
        raise CampaignNotFound
    return row


def writable(actor: Principal, row: asyncpg.Record | None) -> asyncpg.Record:
    row = readable(actor, row)
    check_covers(actor, row["communes"], row["province_code"])
    return row


def province_filter(actor: Principal) -> str | None:
    return actor.scope.province if Role.LABOUR_OFFICER in actor.roles else None
