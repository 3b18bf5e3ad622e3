"""Who may act on which commune's survey: the commune officer on their own communes; the
labour officer reads their whole province."""

from __future__ import annotations

import asyncpg
from xkld_shared.errors import NotAllowed, NotFound
from xkld_shared.identity.principal import Principal, Role


class OutsideYourCommunes(NotAllowed):
    code = "outside_your_communes"

    def __init__(self) -> None:
        super().__init__(
            "Bạn chỉ được khảo sát ở xã/phường mình phụ trách",
            "You may only survey the communes you are responsible for",
        )


class RoundNotFound(NotFound):
    code = "round_not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy đợt khảo sát", "No such survey round")


class RespondentNotFound(NotFound):
    code = "respondent_not_found"

    def __init__(self) -> None:
        super().__init__("Không tìm thấy người trả lời khảo sát", "No such survey respondent")


def check_writes(actor: Principal, commune_code: str) -> None:
    if commune_code not in actor.scope.communes:
        raise OutsideYourCommunes


def readable(actor: Principal, row: asyncpg.Record | None, missing: Exception) -> asyncpg.Record:
    """The row, if this person may read it; out of scope reads as not found (no probing)."""
    if row is None or not actor.covers_commune(row["commune_code"], row["province_code"]):
        raise missing
    return row


def writable(actor: Principal, row: asyncpg.Record | None, missing: Exception) -> asyncpg.Record:
    row = readable(actor, row, missing)
    if Role.COMMUNE_OFFICER not in actor.roles:
        raise OutsideYourCommunes
    check_writes(actor, row["commune_code"])
    return row
