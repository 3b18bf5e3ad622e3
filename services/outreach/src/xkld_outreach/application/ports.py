"""What the outreach use cases need from storage and from the outside, as Protocols.

The use cases receive these at the composition root (`bootstrap.py`; the event subscribers pass
them to the use-case functions they call), so the application never imports the SQL. Style:
the stores are modules of functions, each passed as it is (mypy accepts a module as an
implementation of a Protocol), e.g. the `campaign_store` module as a `CampaignStore`; the
commune map and the phone sealer are classes (`CurrentCommunes`, `PhoneSealer`). Every store
call runs on the connection the use case passes in, inside the transaction the use case owns.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
from xkld_shared.db.pool import Conn

from xkld_outreach.domain.campaign import NewCampaign
from xkld_outreach.domain.survey import Member, OpenRound


@dataclass(frozen=True)
class Area:
    """Which rounds count: those of these communes, or of this province; optionally one year
    (of the round's start) or one round."""

    communes: tuple[str, ...]
    province: str | None
    year: int | None = None
    round_id: uuid.UUID | None = None

    def args(self) -> tuple[Any, ...]:
        start = None if self.year is None else dt.date(self.year, 1, 1)
        end = None if self.year is None else dt.date(self.year + 1, 1, 1)
        return list(self.communes), self.province, start, end, self.round_id


class SurveyStore(Protocol):
    """Survey rounds, households and members."""

    async def insert_round(
        self, conn: Conn, round_id: uuid.UUID, cmd: OpenRound, opened_by: str
    ) -> asyncpg.Record: ...

    async def round_row(
        self, conn: Conn, round_id: uuid.UUID, *, lock: bool = False
    ) -> asyncpg.Record | None: ...

    async def round_for_share(self, conn: Conn, round_id: uuid.UUID) -> asyncpg.Record | None: ...

    async def rounds_in(
        self, conn: Conn, communes: Sequence[str], province: str | None
    ) -> list[asyncpg.Record]: ...

    async def close_round(
        self, conn: Conn, round_id: uuid.UUID, closed_by: str
    ) -> asyncpg.Record: ...

    async def insert_household(
        self,
        conn: Conn,
        household_id: uuid.UUID,
        round_id: uuid.UUID,
        hamlet: str,
        recorded_by: str,
    ) -> None: ...

    async def insert_members(
        self,
        conn: Conn,
        household_id: uuid.UUID,
        round_id: uuid.UUID,
        members: Sequence[tuple[uuid.UUID, Member]],
        recorded_by: str,
        seal: Callable[[str | None], str | None],
    ) -> None: ...

    async def member_with_round(
        self, conn: Conn, member_id: uuid.UUID, *, lock: bool = False
    ) -> asyncpg.Record | None: ...

    async def erase_member(
        self, conn: Conn, member_id: uuid.UUID, erased_by: str, reason: str
    ) -> asyncpg.Record: ...


class CampaignStore(Protocol):
    """Message templates (each edit a version), campaigns, their meetings and attendees."""

    async def templates(self, conn: Conn) -> list[asyncpg.Record]: ...

    async def template(
        self, conn: Conn, code: str, *, lock: bool = False
    ) -> asyncpg.Record | None: ...

    async def template_versions(self, conn: Conn, code: str) -> list[asyncpg.Record]: ...

    async def insert_template(
        self, conn: Conn, code: str, version: int, fields: dict[str, Any], edited_by: str
    ) -> asyncpg.Record: ...

    async def insert_campaign(
        self, conn: Conn, campaign_id: uuid.UUID, cmd: NewCampaign, province: str, created_by: str
    ) -> asyncpg.Record: ...

    async def campaign(
        self, conn: Conn, campaign_id: uuid.UUID, *, lock: bool = False
    ) -> asyncpg.Record | None: ...

    async def campaigns_in(
        self, conn: Conn, communes: Sequence[str], province: str | None
    ) -> list[asyncpg.Record]: ...

    async def set_status(
        self, conn: Conn, campaign_id: uuid.UUID, status: str
    ) -> asyncpg.Record: ...

    async def members_of_commune(
        self, conn: Conn, member_ids: Sequence[uuid.UUID], commune_code: str
    ) -> set[uuid.UUID]: ...

    async def insert_meeting(
        self,
        conn: Conn,
        meeting_id: uuid.UUID,
        campaign_id: uuid.UUID,
        fields: dict[str, Any],
        by: str,
    ) -> None: ...

    async def insert_attendees(
        self, conn: Conn, meeting_id: uuid.UUID, attendees: Sequence[tuple[uuid.UUID, bool]]
    ) -> None: ...

    async def meetings_of(self, conn: Conn, campaign_id: uuid.UUID) -> list[asyncpg.Record]: ...


class BroadcastStore(Protocol):
    """A campaign's broadcasts, their recipients and what became of them."""

    async def candidates(self, conn: Conn, communes: Sequence[str]) -> list[asyncpg.Record]: ...

    async def already_sent(self, conn: Conn, campaign_id: uuid.UUID) -> list[uuid.UUID]: ...

    async def insert_broadcast(self, conn: Conn, values: dict[str, Any]) -> None: ...

    async def insert_recipients(
        self,
        conn: Conn,
        broadcast_id: uuid.UUID,
        campaign_id: uuid.UUID,
        rows: Sequence[tuple[uuid.UUID, uuid.UUID, str]],
    ) -> None: ...

    async def recipient_for_update(
        self, conn: Conn, recipient_id: uuid.UUID
    ) -> asyncpg.Record | None: ...

    async def settle(self, conn: Conn, recipient_id: uuid.UUID, values: dict[str, Any]) -> None: ...

    async def recipients(self, conn: Conn, campaign_id: uuid.UUID) -> list[asyncpg.Record]: ...

    async def broadcasts(self, conn: Conn, campaign_id: uuid.UUID) -> list[asyncpg.Record]: ...

    async def funnel_facts(self, conn: Conn, campaign_id: uuid.UUID) -> list[asyncpg.Record]: ...

    async def walk_ins(self, conn: Conn, campaign_id: uuid.UUID) -> int: ...


class FollowedStore(Protocol):
    """What outreach keeps of registration's events: the respondents' links to their files."""

    async def link_member(
        self, conn: Conn, respondent_id: uuid.UUID, registration_id: uuid.UUID
    ) -> asyncpg.Record | None: ...

    async def forget_member_of(
        self, conn: Conn, registration_id: uuid.UUID
    ) -> asyncpg.Record | None: ...


class RollupQueries(Protocol):
    """The survey's roll-ups, counted from the member rows of the rounds in an area."""

    def dimensions(self) -> tuple[str, ...]: ...

    async def rollup(self, conn: Conn, area: Area, dimension: str) -> list[dict[str, Any]]: ...

    async def totals(self, conn: Conn, area: Area) -> dict[str, Any]: ...

    async def abroad_by_market(self, conn: Conn, area: Area) -> list[dict[str, Any]]: ...

    async def places_by_trade(self, conn: Conn, area: Area, plan_year: int) -> dict[str, int]: ...


class Communes(Protocol):
    """Today's communes (after the 1 July 2025 merger)."""

    def province_of(self, commune_code: str) -> str | None: ...


class Sealer(Protocol):
    """Seals a member's typed phone for notifications; None when there is none."""

    def seal(self, typed: str | None) -> str | None: ...
